// The v3 fake's answers are typed with @immich/sdk 3.2's DTOs: these lines only compile while the
// compiler rejects what v3 does not send (each @ts-expect-error fails the type-check if the
// error it expects goes away), so the fake cannot drift back to v2's shapes unnoticed.
import type { AlbumResponseDto, AssetResponseDto, ServerVersionResponseDto } from '@immich/sdk';
import { describe, expect, it } from 'vitest';
import { FakeLibrary } from '../helpers/immich-fake-data.js';
import { DEFAULT_USER } from '../helpers/immich-fake-types.js';
import { albumV3, assetV3, serverVersionV3 } from '../helpers/immich-fake-v3.js';

describe('the fake Immich v3 types', () => {
  const lib = new FakeLibrary(DEFAULT_USER, 3);
  const id = lib.addAsset({ originalFileName: 'IMG_1.JPG', bytes: Buffer.from('x') });
  const asset = assetV3(lib, lib.assets.get(id)!, { exif: true });
  const album = albumV3(lib, lib.albums[lib.albums.push({ id: '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6', albumName: 'A', assetIds: [id], ownerId: DEFAULT_USER.id, memberIds: [], createdAt: new Date(0) }) - 1]!);

  it('reject a field v3 removed and a required field left out', () => {
    // @ts-expect-error v3 removed deviceId (immich PR #27818)
    const withDevice: AssetResponseDto = { ...asset, deviceId: 'CLI' };
    // @ts-expect-error v3 removed the album's assets (immich PR #27835)
    const withAssets: AlbumResponseDto = { ...album, assets: [] };
    // @ts-expect-error v3's durations are milliseconds, not '0:00:05.000000'
    const textDuration: AssetResponseDto = { ...asset, duration: '0:00:05.000000' };
    const { checksum: _checksum, ...noChecksum } = asset;
    // @ts-expect-error checksum is required
    const missing: AssetResponseDto = noChecksum;
    // @ts-expect-error v3's version says whether it is a pre-release
    const version: ServerVersionResponseDto = { major: 3, minor: 2, patch: 2 };
    expect([withDevice, withAssets, textDuration, missing, version].length).toBe(5);
  });

  it('map a stored asset, album and version to what v3 sends', () => {
    expect(asset).toMatchObject({ id, originalFileName: 'IMG_1.JPG', duration: null, visibility: 'timeline', exifInfo: { fileSizeInByte: 1 } });
    expect(['deviceId' in asset, 'deviceAssetId' in asset]).toEqual([false, false]);
    expect(album).toMatchObject({ albumName: 'A', assetCount: 1, albumUsers: [{ role: 'owner', user: { id: DEFAULT_USER.id } }] });
    expect(serverVersionV3(2)).toEqual({ major: 3, minor: 2, patch: 2, prerelease: null });
  });
});
