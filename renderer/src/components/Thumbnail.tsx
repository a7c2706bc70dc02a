import { useEffect, useRef, useState } from 'react';
import type { FileDto, SourceDto } from '../../../preload/api';
import { useBridge } from '../lib/bridge';
import { loadThumbnail } from '../lib/thumbnails';
import { useApp } from '../state/AppState';

/**
 * Whether a file has a preview to show: photos and videos of an Immich source; images of a web
 * folder or WebDAV share only when the person turned previews on (each one is downloaded).
 */
export function hasThumbnail(source: Pick<SourceDto, 'kind'>, file: Pick<FileDto, 'group'>, imagePreviews: boolean): boolean {
  if (source.kind === 'immich') return file.group !== 'other';
  return imagePreviews && file.group === 'image';
}

/** The same, with the setting read from the app's state. */
export function useHasThumbnail(): (source: Pick<SourceDto, 'kind'>, file: Pick<FileDto, 'group'>) => boolean {
  const previews = useApp().settings.settings?.imagePreviews ?? false;
  return (source, file) => hasThumbnail(source, file, previews);
}

/**
 * A file's small preview, asked of main once the row comes into view (at once where the browser
 * cannot tell); a grey square until then, and for good when the server has none.
 */
export function Thumbnail({ source, file, size = 'small' }: { source: SourceDto; file: FileDto; size?: 'small' | 'large' }) {
  const bridge = useBridge();
  const box = useRef<HTMLSpanElement>(null);
  const [seen, setSeen] = useState(typeof IntersectionObserver === 'undefined');
  const [url, setUrl] = useState<string | null>(null);

  useEffect(() => {
    if (seen || !box.current) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    observer.observe(box.current);
    return () => observer.disconnect();
  }, [seen]);

  useEffect(() => {
    if (!seen) return;
    let live = true;
    // A web or WebDAV image is its own preview: main fetches it by its address, inside the source only.
    const href = source.kind === 'immich' ? undefined : file.href;
    void loadThumbnail(bridge, source.id, file.id, href).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [bridge, seen, source.id, source.kind, file.id, file.href]);

  return (
    <span ref={box} className={`thumb thumb-${size}`}>
      {url && <img src={url} alt={`Preview of ${file.name}`} />}
    </span>
  );
}
