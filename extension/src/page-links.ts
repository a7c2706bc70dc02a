import type { PageLink } from './links.js';

/**
 * Runs in the page (injected by the extension, so it may use nothing from outside): every link,
 * image and video source, or only those inside the person's selection.
 */
export function collectPageLinks(onlySelection: boolean): PageLink[] {
  const selection = window.getSelection();
  const ranges: Range[] = [];
  if (onlySelection && selection) for (let i = 0; i < selection.rangeCount; i += 1) ranges.push(selection.getRangeAt(i));
  const inside = (el: Element): boolean => !onlySelection || ranges.some((r) => r.intersectsNode(el));
  const found: PageLink[] = [];
  for (const a of Array.from(document.querySelectorAll('a[href]'))) if (inside(a)) found.push({ url: (a as HTMLAnchorElement).href, text: a.textContent ?? '' });
  for (const img of Array.from(document.querySelectorAll('img[src]'))) if (inside(img)) found.push({ url: (img as HTMLImageElement).currentSrc || (img as HTMLImageElement).src, text: (img as HTMLImageElement).alt });
  for (const v of Array.from(document.querySelectorAll('video[src], video source[src], audio[src], audio source[src]'))) {
    if (inside(v)) found.push({ url: (v as HTMLVideoElement | HTMLSourceElement).src, text: v.getAttribute('title') ?? '' });
  }
  return found;
}
