import { describe, expect, it } from 'vitest';
import { compareNames, inPeopleOrder } from '../../main/core/sources/order.js';
import type { Listing, RemoteFile, RemoteFolder } from '../../main/core/sources/types.js';

const names = (xs: { name: string }[]) => xs.map((x) => x.name);
const fileNamed = (name: string) => ({ name }) as RemoteFile;
const folderNamed = (name: string) => ({ name, path: name }) as RemoteFolder;

describe('people\'s order of a folder', () => {
  it('puts IMG_2 before IMG_10, ignores case for the order, and still orders names equal but for case', () => {
    expect(['IMG_10.JPG', 'img_3.jpg', 'IMG_2.JPG', 'IMG_1.JPG', 'img_1.JPG'].sort(compareNames)).toEqual(['IMG_1.JPG', 'img_1.JPG', 'IMG_2.JPG', 'img_3.jpg', 'IMG_10.JPG']);
  });

  it('sorts the folders and the files of a web or WebDAV listing, and leaves an Immich listing as Immich ordered it', () => {
    const listing: Listing = { folder: '', folders: ['2024-10', '2024-9', 'Albums'].map(folderNamed), files: ['b10.txt', 'B2.txt', 'a.txt'].map(fileNamed) };
    const sorted = inPeopleOrder({ kind: 'webdav' }, listing);
    expect(names(sorted.folders)).toEqual(['2024-9', '2024-10', 'Albums']);
    expect(names(sorted.files)).toEqual(['a.txt', 'B2.txt', 'b10.txt']);
    expect(names(listing.files)).toEqual(['b10.txt', 'B2.txt', 'a.txt']);
    expect(inPeopleOrder({ kind: 'immich' }, listing)).toBe(listing);
  });
});
