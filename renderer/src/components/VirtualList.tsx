import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, type ReactNode } from 'react';

/** Lists longer than this render only the rows in view. */
export const virtualFrom = 60;

/**
 * A whole list without pagination: plain when short; virtualized (only the rows in view are in the
 * page) when long, with aria-setsize and aria-posinset so screen readers still know its length.
 */
export function VirtualList<T>({
  items,
  getKey,
  renderItem,
  label,
  estimateSize = 64,
  className = '',
}: {
  items: readonly T[];
  getKey: (item: T) => string | number;
  renderItem: (item: T) => ReactNode;
  label: string;
  estimateSize?: number;
  className?: string;
}) {
  if (items.length < virtualFrom) {
    return (
      <div className={`list-scroll ${className}`}>
        <ul className="rows" aria-label={label}>
          {items.map((item) => (
            <li key={getKey(item)} className="row">
              {renderItem(item)}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return <LongList items={items} getKey={getKey} renderItem={renderItem} label={label} estimateSize={estimateSize} className={className} />;
}

function LongList<T>({
  items,
  getKey,
  renderItem,
  label,
  estimateSize,
  className,
}: {
  items: readonly T[];
  getKey: (item: T) => string | number;
  renderItem: (item: T) => ReactNode;
  label: string;
  estimateSize: number;
  className: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer recomputes every row's position when this function changes: keep it stable.
  const itemKey = useCallback((index: number) => getKey(items[index]!), [getKey, items]);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateSize,
    getItemKey: itemKey,
    // A row in a hidden view measures 0: keep its estimate, or every row would claim the screen.
    measureElement: (element) => {
      const height = (element as HTMLElement).offsetHeight;
      return height > 0 ? height : estimateSize;
    },
    overscan: 8,
    // Before the first measurement (and where nothing is measured), show a screenful.
    initialRect: { width: 800, height: 800 },
  });
  return (
    <div ref={scrollRef} className={`list-scroll virtual ${className}`}>
      <ul className="rows" aria-label={label} style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <li
            key={row.key}
            ref={virtualizer.measureElement}
            data-index={row.index}
            className="row"
            aria-setsize={items.length}
            aria-posinset={row.index + 1}
            style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)` }}
          >
            {renderItem(items[row.index]!)}
          </li>
        ))}
      </ul>
    </div>
  );
}
