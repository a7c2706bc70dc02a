// Previews of a web folder's images: off by default; when turned on, main downloads the image itself
// (only addresses inside the source, only images, only up to a size) and hands the page a data: URL.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AddedSourceDto } from '../../preload/api.js';
import { maxPreviewBytes } from '../../main/core/sources/image-preview.js';
import { Service } from '../../main/core/service/service.js';
import { tempDir, testCores } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const www = tempDir('cartage-previews-');
let nginx: Nginx;
const cores = testCores();

beforeAll(async () => {
  fs.mkdirSync(path.join(www, 'photos'));
  fs.writeFileSync(path.join(www, 'photos', 'dot.png'), png);
  fs.writeFileSync(path.join(www, 'photos', 'notes.txt'), 'not an image\n');
  fs.writeFileSync(path.join(www, 'photos', 'huge.png'), Buffer.alloc(maxPreviewBytes + 1024));
  fs.writeFileSync(path.join(www, 'outside.png'), png);
  nginx = await startNginx(www);
});
afterEach(async () => {
  await cores.closeAll();
});
afterAll(async () => {
  await nginx.stop();
});

async function webSource(imagePreviews: boolean) {
  const core = cores.make({ imagePreviews });
  const service = new Service(core, { host: 'serve', version: 'test' });
  const added = await service.handle('sources.add', { kind: 'web', url: nginx.url('photos/'), name: 'www' });
  const sourceId = added.ok ? (added.value as AddedSourceDto).source.id : 0;
  const preview = (file: string, href = nginx.url(`photos/${file}`)) => service.handle('sources.thumbnail', { sourceId, fileId: file, href });
  return { core, preview };
}

describe('previews of web folder images', () => {
  it('are off by default, and say how to turn them on', async () => {
    const { preview } = await webSource(false);
    expect(await preview('dot.png')).toEqual({
      ok: false,
      error: expect.objectContaining({ message: 'Previews of the images on www are off: turn on "Show previews of images" in Settings to see them (each one is downloaded).' }),
    });
    // Nothing was downloaded for it.
    expect(nginx.log().filter((e) => e.uri.includes('dot.png'))).toEqual([]);
  });

  it('when on, show the image itself as a data: URL', async () => {
    const { preview } = await webSource(true);
    expect(await preview('dot.png')).toEqual({ ok: true, value: { dataUrl: `data:image/png;base64,${png.toString('base64')}` } });
  });

  it('refuse an address outside the source, a file that is not an image, and one too large, in sentences', async () => {
    const { preview } = await webSource(true);
    const refusal = async (file: string, href?: string) => {
      const r = await preview(file, href);
      return r.ok ? 'answered' : r.error.message;
    };
    expect(await refusal('outside.png', nginx.url('outside.png'))).toMatch(/outside\.png is not a file of this source: only its own images are shown as previews\.$/);
    expect(await refusal('x', 'http://192.0.2.1/photos/dot.png')).toBe('http://192.0.2.1/photos/dot.png is not a file of this source: only its own images are shown as previews.');
    expect(await refusal('notes.txt')).toBe('notes.txt is sent as "text/plain", not as an image a window can show.');
    expect(await refusal('huge.png')).toBe('huge.png is larger than 8 MB: too large to download for a preview.');
    expect(await refusal('gone.png')).toBe('The server answered 404 when asked for gone.png, so it has no preview.');
  });
});
