import { useCallback, useRef, useState, type DragEvent } from 'react';
import { canTake, refsFromDrop } from '../lib/refs';

export interface DropTarget {
  dropping: boolean;
  handlers: {
    onDragEnter: (e: DragEvent) => void;
    onDragOver: (e: DragEvent) => void;
    onDragLeave: (e: DragEvent) => void;
    onDrop: (e: DragEvent) => void;
  };
}

/**
 * Makes an element take drops of source references (from the browse pane), links, text with
 * links, and text files of links; `onRefs` gets what was found (possibly nothing).
 */
export function useDropRefs(onRefs: (refs: string[]) => void, enabled = true): DropTarget {
  const [dropping, setDropping] = useState(false);
  // dragenter and dragleave fire for every child crossed: count them to know when the drag left.
  const depth = useRef(0);

  const accepts = useCallback((e: DragEvent) => enabled && canTake(Array.from(e.dataTransfer?.types ?? [])), [enabled]);

  const onDragEnter = useCallback(
    (e: DragEvent) => {
      if (!accepts(e)) return;
      e.preventDefault();
      depth.current += 1;
      setDropping(true);
    },
    [accepts],
  );
  const onDragOver = useCallback(
    (e: DragEvent) => {
      if (!accepts(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    },
    [accepts],
  );
  const onDragLeave = useCallback((): void => {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDropping(false);
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      depth.current = 0;
      setDropping(false);
      if (!accepts(e)) return;
      e.preventDefault();
      const data = e.dataTransfer;
      // The DataTransfer is only readable during the event: take what is needed now.
      const types = Array.from(data.types);
      const texts = new Map(types.filter((t) => t !== 'Files').map((t) => [t, data.getData(t)]));
      const files = Array.from(data.files ?? []);
      void refsFromDrop({ types, getData: (t) => texts.get(t) ?? '', files }).then(onRefs);
    },
    [accepts, onRefs],
  );

  return { dropping, handlers: { onDragEnter, onDragOver, onDragLeave, onDrop } };
}
