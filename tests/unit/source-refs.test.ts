import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../main/core/secrets.js';
import { parseImmichAddress } from '../../main/core/sources/immich-connect.js';
import { parseImmichQuery, searchBodies } from '../../main/core/sources/immich-query.js';
import { parseRef } from '../../main/core/sources/refs.js';
import { tempDir } from '../helpers/core.js';

describe('references', () => {
  it('tells URLs, source paths and queries apart', () => {
    expect(parseRef('https://example.org/a.jpg')).toEqual({ kind: 'url', url: 'https://example.org/a.jpg' });
    expect(parseRef('photos')).toEqual({ kind: 'path', source: 'photos', path: '' });
    expect(parseRef('photos:albums/abc/')).toEqual({ kind: 'path', source: 'photos', path: 'albums/abc' });
    expect(parseRef('nas:/Holidays/2024')).toEqual({ kind: 'path', source: 'nas', path: 'Holidays/2024' });
    expect(parseRef('photos?after=2024-01-01&type=video')).toEqual({ kind: 'query', source: 'photos', query: 'after=2024-01-01&type=video' });
    // A question mark inside a path is part of the path.
    expect(parseRef('nas:What?.txt')).toEqual({ kind: 'path', source: 'nas', path: 'What?.txt' });
  });

  it('refuses references without a source', () => {
    expect(() => parseRef(':albums')).toThrow(/neither a web address nor a source reference/);
    expect(() => parseRef('?type=video')).toThrow(/neither a web address nor a source reference/);
    expect(() => parseRef('  ')).toThrow(/neither a web address nor a source reference/);
  });
});

describe('Immich addresses', () => {
  it('reads a server, a page inside the web app, and shared links', () => {
    expect(parseImmichAddress('https://photos.example.org')).toEqual({ webUrl: 'https://photos.example.org', share: null });
    expect(parseImmichAddress('photos.example.org:2283')).toEqual({ webUrl: 'https://photos.example.org:2283', share: null });
    expect(parseImmichAddress('http://10.0.0.5:2283/photos/abc')).toEqual({ webUrl: 'http://10.0.0.5:2283', share: null });
    expect(parseImmichAddress('https://photos.example.org/share/K3y-_x')).toEqual({ webUrl: 'https://photos.example.org', share: { key: 'K3y-_x' } });
    expect(parseImmichAddress('https://photos.example.org/s/summer-2024')).toEqual({ webUrl: 'https://photos.example.org', share: { slug: 'summer-2024' } });
    expect(parseImmichAddress('https://example.org/immich/share/abc')).toEqual({ webUrl: 'https://example.org/immich', share: { key: 'abc' } });
    // A photo opened inside a shared link: the key is found, and never kept in the address.
    expect(parseImmichAddress('https://photos.example.org/share/K3y/photos/0b7c1e2a')).toEqual({ webUrl: 'https://photos.example.org', share: { key: 'K3y' } });
  });

  it('refuses other protocols and credentials in the address', () => {
    expect(() => parseImmichAddress('ftp://photos.example.org')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseImmichAddress('https://ann:secret@photos.example.org')).toThrow(/API key/);
    expect(() => parseImmichAddress('https://exa mple')).toThrow(/not a web address/);
  });
});

describe('Immich queries', () => {
  it('turns filters into search bodies, one per visibility, with the largest page', () => {
    const q = parseImmichQuery('after=2024-01-01&before=2024-01-31&type=video&favorite=true&album=a1&album=a2&person=p&archived=include&name=IMG');
    expect(q).toEqual({
      takenAfter: '2024-01-01T00:00:00.000Z',
      takenBefore: '2024-01-31T23:59:59.999Z',
      type: 'VIDEO',
      isFavorite: true,
      albumIds: ['a1', 'a2'],
      personIds: ['p'],
      archived: 'include',
      originalFileName: 'IMG',
    });
    const bodies = searchBodies(q, 1000);
    expect(bodies.map((b) => b.visibility)).toEqual(['timeline', 'archive']);
    expect(bodies[0]).toMatchObject({ size: 1000, withExif: true, albumIds: ['a1', 'a2'] });
    expect(bodies[0]).not.toHaveProperty('archived');
    expect(searchBodies(parseImmichQuery('archived=only&trashed=include'), 1000)).toEqual([
      { visibility: 'archive', withDeleted: true, withExif: true, size: 1000 },
    ]);
  });

  it('names the filter that is wrong', () => {
    expect(() => parseImmichQuery('colour=red')).toThrow(/do not know the filter "colour"; the filters are after, before/);
    expect(() => parseImmichQuery('type=gif')).toThrow(/"type" .* not valid/);
    expect(() => parseImmichQuery('after=yesterday')).toThrow(/"after" .* not valid: a date such as 2024-05-31/);
    expect(() => parseImmichQuery('type=image&type=video')).toThrow(/given twice/);
    expect(() => parseImmichQuery('after=2024-05-01&before=2024-01-01')).toThrow(/later than "before"/);
  });
});

describe('the file secret store', () => {
  it('keeps secrets in a file only its owner can read, and forgets them on delete', async () => {
    const dir = tempDir();
    const store = new FileSecretStore(dir);
    await store.set('source:1', 'k-123');
    await store.set('source:2', 'pw');
    expect(await store.get('source:1')).toBe('k-123');
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
    await store.delete('source:1');
    expect(await store.get('source:1')).toBeNull();
    expect(fs.readFileSync(store.file, 'utf8')).not.toContain('k-123');
    expect(fs.readdirSync(dir)).toEqual(['secrets.json']);
  });

  it('seals values with the platform cipher, and the command line says it cannot open them', async () => {
    const dir = tempDir();
    const cipher = { encrypt: (s: string) => Buffer.from(s).toString('base64'), decrypt: (s: string) => Buffer.from(s, 'base64').toString() };
    await new FileSecretStore(dir, cipher).set('source:1', 'k-123');
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain('k-123');
    expect(await new FileSecretStore(dir, cipher).get('source:1')).toBe('k-123');
    await expect(new FileSecretStore(dir).get('source:1')).rejects.toThrow(/sealed with the system keychain/);
  });

  it('says the store is damaged rather than losing it', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{not json');
    const store = new FileSecretStore(dir);
    await expect(store.get('x')).rejects.toThrow(/is damaged/);
    await expect(store.set('x', 'y')).rejects.toThrow(/is damaged/);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toBe('{not json');
  });
});
