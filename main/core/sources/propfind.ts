import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodedSegments } from './dav.js';

const dav = 'DAV:';

/** One `<response>` of a multistatus, with its properties read from the propstats that succeeded. */
export interface DavEntry {
  /** The href resolved against the request URL. */
  url: URL;
  /** The path's segments, percent-decoded (a malformed escape is kept as sent). */
  segments: string[];
  collection: boolean;
  displayName: string | null;
  size: number | null;
  modified: Date | null;
  contentType: string | null;
  /** As the server sent it, quotes and `W/` included: the engine sends it back in `If-Range`. */
  etag: string | null;
}

/** An element with its namespace resolved, so `D:`, `d:`, `lp1:` and a default `xmlns="DAV:"` read alike. */
interface XmlElement {
  ns: string | null;
  local: string;
  children: XmlElement[];
  text: string;
}

/** Thrown when the body is not a WebDAV multistatus; the source turns it into a sentence with the URL. */
export class NotMultistatus extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

/**
 * Reads a 207 multistatus answer to PROPFIND: every response, with hrefs resolved against
 * `requestUrl` (absolute or relative) and decoded, and only properties whose propstat said 2xx.
 */
export function parseMultistatus(xml: string, requestUrl: URL): DavEntry[] {
  // The parser alone accepts a truncated document; a cut-off answer must not pass as a short listing.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new NotMultistatus(`not XML: ${valid.err.msg} (line ${valid.err.line})`);
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (err) {
    throw new NotMultistatus(`not XML: ${(err as Error).message}`);
  }
  const root = toElements(tree, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']])).find((e) => e.local !== '#text');
  if (!root || root.ns !== dav || root.local !== 'multistatus') throw new NotMultistatus('the answer is not a DAV:multistatus');
  const entries: DavEntry[] = [];
  for (const response of childrenNamed(root, 'response')) {
    const entry = readResponse(response, requestUrl);
    if (entry) entries.push(entry);
  }
  return entries;
}

function readResponse(response: XmlElement, requestUrl: URL): DavEntry | null {
  const href = childNamed(response, 'href')?.text.trim();
  if (!href) return null;
  // A whole-response status (no propstat) means the server could not describe this resource.
  const status = childNamed(response, 'status');
  if (status && !isSuccess(status.text)) return null;
  let url: URL;
  try {
    // Hrefs carry no fragment or query: a raw `#` or `?` from a careless server is part of the name.
    url = new URL(href.replace(/#/g, '%23').replace(/\?/g, '%3F'), requestUrl);
  } catch {
    return null;
  }
  const props = new Map<string, XmlElement>();
  for (const propstat of childrenNamed(response, 'propstat')) {
    const st = childNamed(propstat, 'status');
    if (st && !isSuccess(st.text)) continue;
    for (const prop of childrenNamed(propstat, 'prop')) {
      for (const p of prop.children) if (p.ns === dav) props.set(p.local, p);
    }
  }
  const text = (name: string): string | null => {
    const t = props.get(name)?.text.trim();
    return t ? t : null;
  };
  const resourcetype = props.get('resourcetype');
  const collection = resourcetype?.children.some((c) => c.ns === dav && c.local === 'collection') ?? false;
  const length = text('getcontentlength');
  const size = length !== null && /^\d+$/.test(length) ? Number(length) : null;
  const lastModified = text('getlastmodified');
  const modified = lastModified !== null && Number.isFinite(Date.parse(lastModified)) ? new Date(lastModified) : null;
  return {
    url,
    segments: decodedSegments(url.pathname),
    collection,
    displayName: text('displayname'),
    size: size !== null && Number.isSafeInteger(size) ? size : null,
    modified,
    contentType: text('getcontenttype'),
    etag: text('getetag'),
  };
}

function isSuccess(statusLine: string): boolean {
  // "HTTP/1.1 200 OK"
  const code = Number(/^\s*HTTP\/\S+\s+(\d{3})/i.exec(statusLine)?.[1]);
  return code >= 200 && code < 300;
}

function childrenNamed(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.ns === dav && c.local === local);
}

function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => c.ns === dav && c.local === local);
}

type OrderedNode = Record<string, unknown>;

/** Turns fast-xml-parser's ordered output into elements with namespaces resolved through each scope. */
function toElements(nodes: unknown, scope: Map<string, string>): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const out: XmlElement[] = [];
  for (const node of nodes as OrderedNode[]) {
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined) continue;
    if (tag === '#text' || tag === '#cdata') {
      out.push({ ns: null, local: '#text', children: [], text: String(node[tag]) });
      continue;
    }
    let inner = scope;
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (inner === scope) inner = new Map(scope);
        inner.set(name === 'xmlns' ? '' : name.slice(6), value);
      }
    }
    const colon = tag.indexOf(':');
    const prefix = colon >= 0 ? tag.slice(0, colon) : '';
    const local = colon >= 0 ? tag.slice(colon + 1) : tag;
    const children = toElements(node[tag], inner);
    out.push({
      ns: inner.get(prefix) ?? null,
      local,
      children: children.filter((c) => c.local !== '#text'),
      text: children
        .filter((c) => c.local === '#text')
        .map((c) => c.text)
        .join(''),
    });
  }
  return out;
}
