// Plain functions of the renderer (no DOM needed); .tsx so only tests/renderer/tsconfig.json type-checks it, with the renderer's resolution.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatSummary, percent, plural } from '../../renderer/src/lib/format';
import { immichQuery, nameQuery, noFilters } from '../../renderer/src/lib/query';
import { fileRef, folderRef, queryRef, refMime, refsFromDrop, urlsFromText, urlsFromUriList } from '../../renderer/src/lib/refs';

describe('numbers as people read them', () => {
  it('writes sizes in decimal units, one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatBytes(3_000_000)).toBe('3 MB');
    expect(formatBytes(15_240_000)).toBe('15.2 MB');
    expect(formatBytes(340_000_000)).toBe('340 MB');
    expect(formatBytes(999_960)).toBe('1 MB');
    expect(formatBytes(1_800_000_000)).toBe('1.8 GB');
    expect(formatBytes(null)).toBe('unknown size');
  });

  it('writes durations the way people say them', () => {
    expect(formatDuration(400)).toBe('1 s');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(80 * 60_000)).toBe('1 h 20 min');
    expect(formatDuration(2 * 3_600_000)).toBe('2 h');
    expect(formatDuration(27 * 3_600_000)).toBe('1 d 3 h');
    expect(formatDuration(null)).toBe('');
  });

  it('counts with the noun, and says which sizes are unknown', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(1204, 'file')).toBe('1,204 files');
    expect(formatSummary(12, 340_000_000)).toBe('12 files, 340 MB');
    expect(formatSummary(12, 340_000_000, 2)).toBe('12 files, 340 MB (2 of unknown size)');
    expect(percent(5, null)).toBeNull();
    expect(percent(2_400_000, 3_700_000)).toBe(64);
  });
});

describe('references', () => {
  it('names folders, files and queries as the cart reads them', () => {
    expect(folderRef({ name: 'nas' }, 'Holidays/2024')).toBe('nas:Holidays/2024');
    expect(folderRef({ name: 'nas' }, '')).toBe('nas');
    expect(fileRef({ name: 'nas', kind: 'webdav' }, { id: 'x', folder: 'Holidays', name: 'a.jpg' })).toBe('nas:Holidays/a.jpg');
    expect(fileRef({ name: 'site', kind: 'web' }, { id: 'x', folder: '', name: 'a.jpg' })).toBe('site:a.jpg');
    expect(fileRef({ name: 'photos', kind: 'immich' }, { id: 'f3a1', folder: 'albums/1', name: 'IMG.HEIC' })).toBe('photos:assets/f3a1');
    expect(queryRef({ name: 'photos' }, 'type=video')).toBe('photos?type=video');
  });

  it('finds web addresses in text, one or more a line, without comments, punctuation or local files', () => {
    expect(urlsFromText('see https://a.example/x.jpg, and (https://b.example/y.png).\n# https://c.example/\nfile:///etc/passwd\nhttps://a.example/x.jpg')).toEqual([
      'https://a.example/x.jpg',
      'https://b.example/y.png',
    ]);
    expect(urlsFromUriList('#comment\r\nhttps://a.example/1\r\nfile:///home/ann/x\r\n')).toEqual(['https://a.example/1']);
  });

  it('prefers its own references in a drop, then text files, then URI lists, then plain text', async () => {
    const drop = (data: Record<string, string>, files: File[] = []) => ({ types: Object.keys(data), getData: (t: string) => data[t] ?? '', files });
    expect(await refsFromDrop(drop({ [refMime]: 'nas:A\nnas:B', 'text/plain': 'nas:A' }))).toEqual(['nas:A', 'nas:B']);
    expect(await refsFromDrop(drop({ 'text/uri-list': 'https://x.example/1', 'text/plain': 'https://x.example/2' }))).toEqual(['https://x.example/1']);
    expect(await refsFromDrop(drop({}, [new File(['https://x.example/3\n'], 'urls.txt')]))).toEqual(['https://x.example/3']);
    expect(await refsFromDrop(drop({}, [new File(['binary'], 'photo.jpg', { type: 'image/jpeg' })]))).toEqual([]);
  });
});

describe('queries', () => {
  it('writes Immich filters as the query text the source reads', () => {
    expect(immichQuery(noFilters)).toBe('');
    expect(immichQuery({ ...noFilters, after: '2024-01-01', type: 'image', person: 'a b,c', archived: 'only' })).toBe(
      'after=2024-01-01&type=image&person=a&person=b&person=c&archived=only',
    );
    expect(nameQuery(' IMG 1 ')).toBe('name=IMG+1');
    expect(nameQuery('  ')).toBe('');
  });
});
