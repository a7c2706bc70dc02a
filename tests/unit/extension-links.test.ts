import { describe, expect, it } from 'vitest';
import { extensionOf, filterLinks, parsePattern, typeOf, usableLinks } from '../../extension/src/links.js';
import { shouldTakeOver, type TakeoverSettings } from '../../extension/src/takeover.js';

const links = usableLinks([
  { url: 'https://example.org/a/Photo%201.JPG', text: ' Holiday\n photo ' },
  { url: 'https://example.org/a/Photo%201.JPG#top', text: 'again' },
  { url: 'https://example.org/clip.mp4?dl=1', text: '' },
  { url: 'https://example.org/files/setup.iso', text: '' },
  { url: 'https://example.org/paper.pdf', text: '' },
  { url: 'https://example.org/about', text: 'About' },
  { url: 'javascript:void(0)', text: 'script' },
  { url: 'mailto:ann@example.org', text: 'mail' },
  { url: 'file:///etc/passwd', text: 'file' },
]);

describe("the popup's links", () => {
  it('keeps http(s) links once each, in page order, without fragments', () => {
    expect(links.map((l) => l.url)).toEqual([
      'https://example.org/a/Photo%201.JPG',
      'https://example.org/clip.mp4?dl=1',
      'https://example.org/files/setup.iso',
      'https://example.org/paper.pdf',
      'https://example.org/about',
    ]);
    expect(links[0]!.text).toBe('Holiday photo');
  });

  it('knows a file type by its extension, whatever its case or query', () => {
    expect(extensionOf('https://example.org/a/Photo%201.JPG')).toBe('jpg');
    expect(typeOf('https://example.org/clip.mp4?dl=1')).toBe('videos');
    expect(typeOf('https://example.org/about')).toBe('all');
  });

  it('filters by type, and by an extension pattern as people write it', () => {
    expect(filterLinks(links, 'images').map((l) => extensionOf(l.url))).toEqual(['jpg']);
    expect(filterLinks(links, 'archives').map((l) => extensionOf(l.url))).toEqual(['iso']);
    expect(filterLinks(links, 'documents').map((l) => extensionOf(l.url))).toEqual(['pdf']);
    expect([...parsePattern('*.ISO, pdf;.mp4 ../x')]).toEqual(['iso', 'pdf', 'mp4']);
    expect(filterLinks(links, 'all', '*.iso pdf').map((l) => extensionOf(l.url))).toEqual(['iso', 'pdf']);
    expect(filterLinks(links, 'videos', 'pdf')).toEqual([]);
  });
});

describe("the takeover of the browser's downloads", () => {
  const on: TakeoverSettings = { enabled: true, minSizeMb: 100, types: 'iso zip' };
  const item = { url: 'https://example.org/big.bin', filename: '/home/ann/Downloads/big.bin', totalBytes: 200 * 1024 * 1024 };

  it('is off unless the person turned it on, and never takes its own downloads or other schemes', () => {
    expect(shouldTakeOver(item, { ...on, enabled: false }, 'me')).toBe(false);
    expect(shouldTakeOver({ ...item, byExtensionId: 'me' }, on, 'me')).toBe(false);
    expect(shouldTakeOver({ ...item, url: 'blob:https://example.org/1' }, on, 'me')).toBe(false);
  });

  it('takes files over the size, or of the chosen types whatever their size', () => {
    expect(shouldTakeOver(item, on, 'me')).toBe(true);
    expect(shouldTakeOver({ ...item, totalBytes: 1024 }, on, 'me')).toBe(false);
    expect(shouldTakeOver({ ...item, totalBytes: -1 }, on, 'me')).toBe(false);
    expect(shouldTakeOver({ url: 'https://example.org/get?id=3', filename: 'debian.ISO', totalBytes: 10 }, on, 'me')).toBe(true);
    expect(shouldTakeOver({ url: 'https://example.org/a.zip', filename: '', totalBytes: 0 }, on, 'me')).toBe(true);
    expect(shouldTakeOver({ ...item, totalBytes: 5 }, { ...on, minSizeMb: 0, types: '' }, 'me')).toBe(true);
    expect(shouldTakeOver({ ...item, totalBytes: 5 }, { ...on, minSizeMb: 0 }, 'me')).toBe(false);
  });
});
