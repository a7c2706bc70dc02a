// The page's links as the popup lists them, and the type filter: plain functions, tested on their own.

/** A link found on the page: where it points, and the words or element that show it. */
export interface PageLink {
  url: string;
  text: string;
}

export const linkTypes = ['all', 'images', 'videos', 'archives', 'documents'] as const;
export type LinkType = (typeof linkTypes)[number];

const extensions: Record<Exclude<LinkType, 'all'>, readonly string[]> = {
  images: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'heif', 'tif', 'tiff', 'bmp', 'svg', 'raw', 'dng', 'cr2', 'nef', 'arw'],
  videos: ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'wmv', 'flv', 'mpg', 'mpeg', '3gp', 'mts', 'm2ts'],
  archives: ['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'iso', 'dmg', 'deb', 'rpm', 'apk', 'exe', 'msi'],
  documents: ['pdf', 'epub', 'doc', 'docx', 'odt', 'xls', 'xlsx', 'ods', 'ppt', 'pptx', 'odp', 'txt', 'csv', 'rtf', 'md'],
};

/** The extension of the link's file name, lower case, or '' (a page, a folder). */
export function extensionOf(url: string): string {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return '';
  }
  const name = decodeURIComponent(pathname.slice(pathname.lastIndexOf('/') + 1));
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The type a link's file has, by its extension ('all' for none of ours). */
export function typeOf(url: string): LinkType {
  const ext = extensionOf(url);
  for (const [type, list] of Object.entries(extensions) as [Exclude<LinkType, 'all'>, readonly string[]][]) if (list.includes(ext)) return type;
  return 'all';
}

/**
 * A person's extension pattern ("pdf, epub", "*.iso", ".mp3 .flac") as a set of extensions; empty
 * when the pattern names none.
 */
export function parsePattern(pattern: string): Set<string> {
  return new Set(
    pattern
      .split(/[\s,;]+/)
      .map((p) => p.replace(/^\*?\./, '').toLowerCase())
      .filter((p) => /^[a-z0-9]+$/.test(p)),
  );
}

/** The links of a type, narrowed by an extension pattern when one is given. */
export function filterLinks(links: readonly PageLink[], type: LinkType, pattern = ''): PageLink[] {
  const wanted = parsePattern(pattern);
  return links.filter((l) => (type === 'all' || typeOf(l.url) === type) && (wanted.size === 0 || wanted.has(extensionOf(l.url))));
}

/** http(s) links only, each once (without its #fragment), in page order. */
export function usableLinks(links: readonly PageLink[]): PageLink[] {
  const seen = new Set<string>();
  const out: PageLink[] = [];
  for (const l of links) {
    let url: URL;
    try {
      url = new URL(l.url);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    out.push({ url: url.href, text: l.text.trim().replace(/\s+/g, ' ').slice(0, 200) });
  }
  return out;
}
