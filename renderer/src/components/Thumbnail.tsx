import { useEffect, useRef, useState } from 'react';
import type { FileDto, SourceDto } from '../../../preload/api';
import { useBridge } from '../lib/bridge';
import { loadThumbnail } from '../lib/thumbnails';

/** Whether a file has a preview to show: photos and videos of an Immich source. */
export function hasThumbnail(source: Pick<SourceDto, 'kind'>, file: Pick<FileDto, 'group'>): boolean {
  return source.kind === 'immich' && file.group !== 'other';
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
    void loadThumbnail(bridge, source.id, file.id).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [bridge, seen, source.id, file.id]);

  return (
    <span ref={box} className={`thumb thumb-${size}`}>
      {url && <img src={url} alt={`Preview of ${file.name}`} />}
    </span>
  );
}
