import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePath, maxNameBytes, nameFromUrl, numberedName, pathInside, safeFileName } from '../../main/core/naming.js';
import { tempDir } from '../helpers/core.js';

describe('safe file names', () => {
  it('removes path separators and parent references so a name cannot leave its folder', () => {
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeFileName('..')).toBe('download');
    expect(safeFileName('a\\b/c')).toBe('a_b_c');
    expect(nameFromUrl(new URL('http://h/x/..%2F..%2Fetc%2Fpasswd'))).toBe('.._.._etc_passwd');
  });

  it('replaces characters Windows forbids and control characters', () => {
    expect(safeFileName('a:b*c?d"e<f>g|h\u0000i\u001fj\u007f')).toBe('a_b_c_d_e_f_g_h_i_j_');
  });

  it('prefixes reserved Windows device names, with or without an extension', () => {
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('nul.txt')).toBe('_nul.txt');
    expect(safeFileName('com1.jpg')).toBe('_com1.jpg');
    expect(safeFileName('console.txt')).toBe('console.txt');
  });

  it('drops trailing dots and spaces, which Windows cannot keep', () => {
    expect(safeFileName('photo.jpg. . ')).toBe('photo.jpg');
    expect(safeFileName(' . ')).toBe('download');
  });

  it('limits the name by UTF-8 bytes, keeps the extension, and never splits a character', () => {
    const long = `${'é'.repeat(300)}.jpeg`;
    const safe = safeFileName(long);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(maxNameBytes);
    expect(safe.endsWith('.jpeg')).toBe(true);
    expect(safe).not.toContain('\uFFFD');
    const emoji = safeFileName('😀'.repeat(100));
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(maxNameBytes);
    expect([...emoji].every((c) => c === '😀')).toBe(true);
  });

  it('normalises to NFC so the same name is the same file on every system', () => {
    expect(safeFileName('Cafe\u0301.jpg')).toBe('Caf\u00e9.jpg');
  });

  it('takes the name from the last path segment of a URL, decoded, or the host when there is none', () => {
    expect(nameFromUrl(new URL('https://example.com/photos/IMG%201234.HEIC?x=1'))).toBe('IMG 1234.HEIC');
    expect(nameFromUrl(new URL('https://example.com/'))).toBe('example.com');
    expect(nameFromUrl(new URL('https://example.com/%E0%A4%A'))).toBe('%E0%A4%A');
  });

  it('refuses a joined path that would leave the folder', () => {
    const dir = tempDir();
    expect(() => pathInside(dir, '../x')).toThrow(/would leave the folder/);
    expect(pathInside(dir, 'x.jpg')).toBe(path.join(dir, 'x.jpg'));
  });

  it('keeps the number when a long name is shortened, so long names still get distinct alternatives', () => {
    const dir = tempDir();
    const long = safeFileName(`${'写真'.repeat(60)}.jpg`);
    const first = numberedName(long, 1);
    expect(first.endsWith(' (1).jpg')).toBe(true);
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(maxNameBytes);
    fs.writeFileSync(path.join(dir, long), 'x');
    fs.writeFileSync(path.join(dir, first), 'x');
    expect(freePath(dir, long)).toBe(path.join(dir, numberedName(long, 2)));
  });

  it('numbers conflicting names as name (1).ext, name (2).ext', () => {
    const dir = tempDir();
    expect(numberedName('a.jpg', 1)).toBe('a (1).jpg');
    expect(numberedName('archive', 2)).toBe('archive (2)');
    fs.writeFileSync(path.join(dir, 'a.jpg'), 'x');
    fs.writeFileSync(path.join(dir, 'a (1).jpg'), 'x');
    expect(freePath(dir, 'a.jpg')).toBe(path.join(dir, 'a (2).jpg'));
    expect(freePath(dir, 'a.jpg', (p) => p.endsWith('a (2).jpg'))).toBe(path.join(dir, 'a (3).jpg'));
  });
});
