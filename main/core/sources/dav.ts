/*
 * What a WebDAV listing sends, and how its paths read: apart from propfind.ts, so that the XML
 * parser it needs is loaded only when a listing's answer is read (see WebDavSource.propfind).
 */

/** The PROPFIND body: only the properties a listing shows, so servers do not compute the rest. */
export const propfindBody = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:">
  <d:prop>
    <d:displayname/>
    <d:getcontentlength/>
    <d:getlastmodified/>
    <d:getcontenttype/>
    <d:getetag/>
    <d:resourcetype/>
  </d:prop>
</d:propfind>
`;

/** `/a%20b/c/` -> ['a b', 'c']. */
export function decodedSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
