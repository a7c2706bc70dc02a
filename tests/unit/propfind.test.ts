import { describe, expect, it } from 'vitest';
import { NotMultistatus, parseMultistatus } from '../../main/core/sources/propfind.js';

// Answers to Cartage's PROPFIND (Depth: 1) recorded from Apache 2.4 mod_dav and rclone v1.60
// `serve webdav` over the same folder: `a b#1%.txt` (6 bytes) and `sub dir/`.
const apacheXml = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:g0="DAV:">
<D:href>/dav/</D:href>
<D:propstat>
<D:prop>
<lp1:getlastmodified>Mon, 23 Nov 2026 13:51:27 GMT</lp1:getlastmodified>
<D:getcontenttype>httpd/unix-directory</D:getcontenttype>
<lp1:getetag>"1000-660f1e3e5302f"</lp1:getetag>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:displayname/>
<g0:getcontentlength/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:g0="DAV:">
<D:href>/dav/sub%20dir/</D:href>
<D:propstat>
<D:prop>
<lp1:getlastmodified>Mon, 23 Nov 2026 13:51:27 GMT</lp1:getlastmodified>
<D:getcontenttype>httpd/unix-directory</D:getcontenttype>
<lp1:getetag>"1000-660f1e3e5302f"</lp1:getetag>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:displayname/>
<g0:getcontentlength/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:g0="DAV:">
<D:href>/dav/a%20b%231%25.txt</D:href>
<D:propstat>
<D:prop>
<lp1:getcontentlength>6</lp1:getcontentlength>
<lp1:getlastmodified>Mon, 23 Nov 2026 13:51:27 GMT</lp1:getlastmodified>
<D:getcontenttype>text/plain</D:getcontenttype>
<lp1:getetag>"6-660f1e3e5302f"</lp1:getetag>
<lp1:resourcetype/>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:displayname/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
</D:multistatus>
`;
const rcloneXml = `<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/</D:href><D:propstat><D:prop><D:displayname></D:displayname><D:getlastmodified>Mon, 23 Nov 2026 13:51:27 GMT</D:getlastmodified><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><D:getcontentlength></D:getcontentlength><D:getcontenttype></D:getcontenttype><D:getetag></D:getetag></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response><D:response><D:href>/a%20b%231%25.txt</D:href><D:propstat><D:prop><D:displayname>a b#1%.txt</D:displayname><D:getcontentlength>6</D:getcontentlength><D:getlastmodified>Mon, 23 Nov 2026 13:51:27 GMT</D:getlastmodified><D:getcontenttype>text/plain; charset=utf-8</D:getcontenttype><D:getetag>"18eab0e2374439376"</D:getetag><D:resourcetype></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/sub%20dir/</D:href><D:propstat><D:prop><D:displayname>sub dir</D:displayname><D:getlastmodified>Mon, 23 Nov 2026 13:51:27 GMT</D:getlastmodified><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><D:getcontentlength></D:getcontentlength><D:getcontenttype></D:getcontenttype><D:getetag></D:getetag></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>`;

// Shape of a Nextcloud (Sabre/DAV) answer: `d:` prefix, oc:/nc: props, entity-encoded ETags, a
// 404 propstat for what a folder lacks, and hrefs under /remote.php/dav/files/USER/.
const nextcloudXml = `<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:response>
  <d:href>/remote.php/dav/files/ann/Photos/</d:href>
  <d:propstat>
   <d:prop>
    <d:displayname>Photos</d:displayname>
    <d:getlastmodified>Tue, 03 Mar 2026 10:00:00 GMT</d:getlastmodified>
    <d:getetag>&quot;65e44b10e2b7a&quot;</d:getetag>
    <d:resourcetype><d:collection/></d:resourcetype>
    <oc:size>5230716</oc:size>
    <oc:fileid>412</oc:fileid>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
  <d:propstat>
   <d:prop><d:getcontentlength/><d:getcontenttype/></d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/remote.php/dav/files/ann/Photos/Birthday%20%231%20%E2%80%94%20caf%C3%A9.jpg</d:href>
  <d:propstat>
   <d:prop>
    <d:displayname>Birthday #1 — café.jpg</d:displayname>
    <d:getcontentlength>2170405</d:getcontentlength>
    <d:getlastmodified>Sat, 14 Feb 2026 18:22:31 GMT</d:getlastmodified>
    <d:getcontenttype>image/jpeg</d:getcontenttype>
    <d:getetag>&quot;1c4b4f4b0a3e2d9e3f6c2d1b8f0a7e21&quot;</d:getetag>
    <d:resourcetype/>
    <oc:fileid>413</oc:fileid>
    <oc:permissions>RGDNVW</oc:permissions>
    <nc:has-preview>true</nc:has-preview>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/remote.php/dav/files/ann/Photos/Trip%202025/</d:href>
  <d:propstat>
   <d:prop>
    <d:displayname>Trip 2025</d:displayname>
    <d:getlastmodified>Mon, 01 Sep 2025 08:00:00 GMT</d:getlastmodified>
    <d:getetag>&quot;68b55a2f3c1d0&quot;</d:getetag>
    <d:resourcetype><d:collection/></d:resourcetype>
    <oc:size>3060311</oc:size>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
  <d:propstat>
   <d:prop><d:getcontentlength/><d:getcontenttype/></d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status>
  </d:propstat>
 </d:response>
</d:multistatus>`;

describe('PROPFIND multistatus parser', () => {
  it('reads Apache mod_dav: lp1: live props, a 404 propstat, percent-encoded hrefs', () => {
    const entries = parseMultistatus(apacheXml, new URL('http://127.0.0.1:8080/dav/'));
    expect(entries.map((e) => e.segments)).toEqual([['dav'], ['dav', 'sub dir'], ['dav', 'a b#1%.txt']]);
    const [self, sub, file] = entries;
    expect(self).toMatchObject({ collection: true, size: null, displayName: null });
    expect(sub).toMatchObject({ collection: true, etag: '"1000-660f1e3e5302f"' });
    expect(file).toMatchObject({ collection: false, size: 6, contentType: 'text/plain', etag: '"6-660f1e3e5302f"', displayName: null });
    expect(file!.url.href).toBe('http://127.0.0.1:8080/dav/a%20b%231%25.txt');
    expect(file!.modified?.toISOString()).toBe(new Date('Mon, 23 Nov 2026 13:51:27 GMT').toISOString());
  });

  it('reads rclone serve webdav: D: prefix, empty props treated as absent', () => {
    const entries = parseMultistatus(rcloneXml, new URL('http://127.0.0.1:8081/'));
    expect(entries).toHaveLength(3);
    const file = entries.find((e) => !e.collection)!;
    expect(file).toMatchObject({ segments: ['a b#1%.txt'], size: 6, displayName: 'a b#1%.txt', etag: '"18eab0e2374439376"' });
    expect(file.contentType).toBe('text/plain; charset=utf-8');
    const root = entries[0]!;
    expect(root).toMatchObject({ segments: [], collection: true, displayName: null, etag: null, size: null });
  });

  it('reads Nextcloud: d: prefix, oc:/nc: props ignored, ETags with their quotes, unicode names', () => {
    const entries = parseMultistatus(nextcloudXml, new URL('https://cloud.example/remote.php/dav/files/ann/Photos/'));
    expect(entries).toHaveLength(3);
    const [self, photo, trip] = entries;
    expect(self).toMatchObject({ collection: true, size: null, displayName: 'Photos' });
    expect(photo).toMatchObject({
      collection: false,
      size: 2170405,
      contentType: 'image/jpeg',
      etag: '"1c4b4f4b0a3e2d9e3f6c2d1b8f0a7e21"',
      segments: ['remote.php', 'dav', 'files', 'ann', 'Photos', 'Birthday #1 — café.jpg'],
    });
    expect(photo!.url.origin).toBe('https://cloud.example');
    // oc:size on a folder is not a file size.
    expect(trip).toMatchObject({ collection: true, size: null, displayName: 'Trip 2025' });
  });

  it('resolves a default xmlns="DAV:", absolute hrefs, weak ETags, and skips failed responses', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<multistatus xmlns="DAV:">
  <response>
    <href>http://files.example:8443/share/docs/</href>
    <propstat><prop><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>
  </response>
  <response>
    <href>http://files.example:8443/share/docs/report%202026.pdf</href>
    <propstat>
      <prop>
        <getcontentlength>1048576</getcontentlength>
        <getetag>W/"abc-123"</getetag>
        <getlastmodified>not a date</getlastmodified>
        <x:getcontentlength xmlns:x="urn:not-dav">999</x:getcontentlength>
        <resourcetype/>
      </prop>
      <status>HTTP/1.1 200 OK</status>
    </propstat>
  </response>
  <response>
    <href>relative name.txt</href>
    <propstat><prop><getcontentlength>12</getcontentlength></prop><status>HTTP/1.1 200 OK</status></propstat>
    <propstat><prop><getetag>"hidden"</getetag></prop><status>HTTP/1.1 403 Forbidden</status></propstat>
  </response>
  <response>
    <href>/share/docs/gone.txt</href>
    <status>HTTP/1.1 404 Not Found</status>
  </response>
</multistatus>`;
    const entries = parseMultistatus(xml, new URL('http://files.example:8443/share/docs/'));
    expect(entries.map((e) => e.url.pathname)).toEqual(['/share/docs/', '/share/docs/report%202026.pdf', '/share/docs/relative%20name.txt']);
    expect(entries[1]).toMatchObject({ size: 1048576, etag: 'W/"abc-123"', modified: null, collection: false });
    expect(entries[2]).toMatchObject({ size: 12, etag: null, segments: ['share', 'docs', 'relative name.txt'] });
  });

  it('does not take a D: prefix bound to another namespace for DAV:', () => {
    const xml = `<D:multistatus xmlns:D="urn:not-dav"><D:response><D:href>/x</D:href></D:response></D:multistatus>`;
    expect(() => parseMultistatus(xml, new URL('http://h/'))).toThrow(NotMultistatus);
  });

  it('refuses HTML, JSON and broken XML as not a multistatus', () => {
    const at = new URL('http://h/');
    expect(() => parseMultistatus('<html><body><h1>Index of /</h1></body></html>', at)).toThrow(NotMultistatus);
    expect(() => parseMultistatus('{"files":[]}', at)).toThrow(NotMultistatus);
    expect(() => parseMultistatus('<d:multistatus xmlns:d="DAV:"><d:response>', at)).toThrow(NotMultistatus);
    expect(() => parseMultistatus('', at)).toThrow(NotMultistatus);
  });

  it('keeps a malformed percent escape as sent instead of failing', () => {
    const xml = `<d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/100%25%20sure%zz.txt</d:href>
      <d:propstat><d:prop><d:getcontentlength>1</d:getcontentlength></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`;
    const [entry] = parseMultistatus(xml, new URL('http://h/dav/'));
    expect(entry!.segments).toEqual(['dav', '100%25%20sure%zz.txt']);
  });
});
