import { describe, expect, it } from 'vitest';
import { decodeEntities, detectFormat, parseListing } from '../../main/core/sources/listing-parsers.js';
import { dispositionFileName } from '../../main/core/net/http.js';

const nginxHtml = `<html>
<head><title>Index of /pub/</title></head>
<body>
<h1>Index of /pub/</h1><hr><pre><a href="../">../</a>
<a href="sub%20dir/">sub dir/</a>                                           23-Nov-2026 13:56                   -
<a href="a%26b%20%25.txt">a&amp;b %.txt</a>                                             23-Nov-2026 13:56                1234
<a href="rounded.iso">rounded.iso</a>                                        01-Feb-2025 08:05                  4G
</pre><hr></body>
</html>`;

const longName = `${'n'.repeat(296)}.txt`;
const python = `<!DOCTYPE HTML>
<html lang="en"><head><meta charset="utf-8"><title>Directory listing for /x/</title></head>
<body><h1>Directory listing for /x/</h1><hr><ul>
<li><a href="${longName}">${longName}</a></li>
<li><a href="d/">d/</a></li>
</ul><hr></body></html>`;

const apacheTable = `<html><head><title>Index of /</title></head><body><h1>Index of /</h1><table>
<tr><th><a href="?C=N;O=D">Name</a></th></tr>
<tr><td valign="top">&nbsp;</td><td><a href="a%20b%25.txt">a b%.txt</a></td><td align="right">2026-11-23 13:51  </td><td align="right">  5 </td><td>&nbsp;</td></tr>
<tr><td valign="top">&nbsp;</td><td><a href="big.jpg">big.jpg</a></td><td align="right">2026-11-23 13:51  </td><td align="right">2.9K</td><td>&nbsp;</td></tr>
</table></body></html>`;

const rclone = `<html><head><title>/</title></head><body><a href="?sort=namedirfirst&order=asc">x</a><div class="listing"><table>
<tr class="file"><td></td><td><span class="name"><a href="sub/">sub/</a></span></td><td data-order="-1">&mdash;</td>
<td class="hideable"><time datetime="2026-11-23 13:50:04.296247081 &#43;0000 UTC">x</time></td></tr>
<tr class="file"><td></td><td><span class="name"><a href="a%20b.txt">a b.txt</a></span></td><td data-order="6"><size>6</size></td>
<td class="hideable"><time datetime="2026-11-23 13:50:04.296247081 &#43;0100 CET">x</time></td></tr>
</table></div></body></html>`;

describe('listing formats', () => {
  it('recognises each format and nothing else', () => {
    expect(detectFormat(nginxHtml, 'text/html')).toBe('nginx-html');
    expect(detectFormat(python, 'text/html')).toBe('python');
    expect(detectFormat(apacheTable, 'text/html;charset=UTF-8')).toBe('apache');
    expect(detectFormat(rclone, 'text/html')).toBe('rclone');
    expect(detectFormat('[\n{ "name":"a", "type":"file", "mtime":"Thu, 23 Nov 2026 13:56:00 GMT", "size":3 }\n]', 'application/json')).toBe('nginx-json');
    expect(detectFormat('[]', 'application/json')).toBe('nginx-json');
    expect(detectFormat('<html><title>Welcome</title><a href="x.zip">x</a></html>', 'text/html')).toBeNull();
    expect(detectFormat('', 'text/html')).toBeNull();
    expect(detectFormat('{"a":1}', 'application/json')).toBeNull();
  });

  it('reads nginx HTML dates and exact sizes, and leaves rounded sizes unknown', () => {
    const entries = parseListing(nginxHtml, 'nginx-html');
    expect(entries.map((e) => [e.href, e.isFolder, e.size])).toEqual([
      ['../', true, null],
      ['sub%20dir/', true, null],
      ['a%26b%20%25.txt', false, 1234],
      ['rounded.iso', false, null],
    ]);
    expect(entries[2]!.modified?.toISOString()).toBe('2026-11-23T13:56:00.000Z');
  });

  it('reads nginx JSON names unescaped, and encodes them into hrefs', () => {
    const entries = parseListing('[{"name":"50% off & more","type":"file","mtime":"Thu, 23 Nov 2026 13:56:00 GMT","size":3},{"name":"d","type":"directory","mtime":"Thu, 23 Nov 2026 13:56:00 GMT"}]', 'nginx-json');
    expect(entries).toEqual([
      { href: '50%25%20off%20%26%20more', name: '50% off & more', isFolder: false, size: 3, modified: new Date('2026-11-23T13:56:00Z') },
      { href: 'd/', name: 'd', isFolder: true, size: null, modified: new Date('2026-11-23T13:56:00Z') },
    ]);
  });

  it('reads a 300-byte name from a Python listing as a link', () => {
    const entries = parseListing(python, 'python');
    expect(entries.map((e) => [e.href.length, e.isFolder, e.size])).toEqual([[300, false, null], [2, true, null]]);
  });

  it('reads Apache table rows, with sort links left for the caller to drop', () => {
    const entries = parseListing(apacheTable, 'apache');
    expect(entries.map((e) => [e.href, e.size])).toEqual([['?C=N;O=D', null], ['a%20b%25.txt', 5], ['big.jpg', null]]);
  });

  it('reads rclone rows with their sizes and zoned times', () => {
    const entries = parseListing(rclone, 'rclone');
    expect(entries.map((e) => [e.href, e.isFolder, e.size, e.modified?.toISOString()])).toEqual([
      ['sub/', true, null, '2026-11-23T13:50:04.296Z'],
      ['a%20b.txt', false, 6, '2026-11-23T12:50:04.296Z'],
    ]);
  });

  it('parses a 100,000-entry nginx listing in one pass', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `<a href="f${i}.bin">f${i}.bin</a>   23-Nov-2026 13:56   ${i}`);
    const body = `<html><head><title>Index of /</title></head><body><h1>Index of /</h1><hr><pre><a href="../">../</a>\n${rows.join('\n')}\n</pre></body></html>`;
    const started = performance.now();
    const entries = parseListing(body, detectFormat(body, 'text/html')!);
    expect(entries).toHaveLength(100_001);
    expect(entries[100_000]).toMatchObject({ href: 'f99999.bin', size: 99_999 });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('text helpers', () => {
  it('decodes character references', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &#43; &#x263A; &bogus;')).toBe('a & b <c> + \u263a &bogus;');
  });

  it('reads Content-Disposition file names', () => {
    expect(dispositionFileName(`attachment; filename="a.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt`)).toBe('€ rates.txt');
    expect(dispositionFileName('attachment; filename="say \\"hi\\".txt"')).toBe('say "hi".txt');
    expect(dispositionFileName('attachment; filename=plain.bin')).toBe('plain.bin');
    expect(dispositionFileName("attachment; filename*=iso-8859-1'en'%A3%20rates.txt")).toBe('£ rates.txt');
    expect(dispositionFileName('inline')).toBeNull();
  });
});
