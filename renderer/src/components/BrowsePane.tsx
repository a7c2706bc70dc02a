import { useEffect, useId, useRef, useState } from 'react';
import type { ApiError, ListingDto, SourceDto } from '../../../preload/api';
import { ask, useBridge } from '../lib/bridge';
import { dragRef } from '../lib/drag';
import { formatSummary } from '../lib/format';
import { folderRef } from '../lib/refs';
import { useApp } from '../state/AppState';
import { ErrorText } from './ErrorText';
import { ListingView } from './ListingView';
import { QueryBuilder } from './QueryBuilder';
import { useHasThumbnail } from './Thumbnail';

interface Crumb {
  path: string;
  name: string;
}

/** One source at a time: its folders and albums to walk through, or a search; each can go to the list. */
export function BrowsePane() {
  const { sources, route, navigate } = useApp();
  const headingId = useId();
  const list = sources.sources ?? [];
  const wanted = route.view === 'browse' ? route.sourceId : undefined;
  const [chosen, setChosen] = useState<number | null>(null);
  const sourceId = wanted ?? chosen ?? list[0]?.id ?? null;
  const source = list.find((s) => s.id === sourceId) ?? list[0] ?? null;
  const [mode, setMode] = useState<'folders' | 'search'>('folders');

  return (
    <section className="pane browse" aria-labelledby={headingId}>
      <header className="pane-header">
        <h2 id={headingId}>Browse</h2>
        {list.length > 0 && (
          <label className="field inline">
            <span>Source</span>
            <select
              value={source?.id ?? ''}
              onChange={(e) => {
                setChosen(Number(e.target.value));
                if (wanted !== undefined) navigate({ view: 'browse' });
              }}
            >
              {list.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {sources.error && !sources.sources && <ErrorText error={`Cartage could not list your sources. ${sources.error.message}`} />}
      {sources.sources && list.length === 0 && (
        <div className="empty">
          <p>No sources yet. Add an Immich server, a WebDAV share or a web folder to browse it, or drop links on the download list.</p>
          <button type="button" className="primary" onClick={() => navigate({ view: 'sources', add: true })}>
            Add a source
          </button>
        </div>
      )}
      {source && (
        <>
          <div className="segmented" role="group" aria-label="Browse or search">
            <button type="button" aria-pressed={mode === 'folders'} onClick={() => setMode('folders')}>
              Folders
            </button>
            <button type="button" aria-pressed={mode === 'search'} onClick={() => setMode('search')}>
              Search
            </button>
          </div>
          {mode === 'folders' ? <SourceFolders key={source.id} source={source} /> : <QueryBuilder key={source.id} source={source} />}
        </>
      )}
    </section>
  );
}

/** The folder being looked at in one source, with the way back up. */
function SourceFolders({ source }: { source: SourceDto }) {
  const bridge = useBridge();
  const { addToCart } = useApp();
  const [trail, setTrail] = useState<Crumb[]>([{ path: '', name: source.name }]);
  const [listing, setListing] = useState<ListingDto | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const here = trail[trail.length - 1]!;
  // After opening a folder (or going back up) focus goes to its name in the path, not to the page.
  const hereRef = useRef<HTMLSpanElement>(null);
  const moved = useRef(false);
  useEffect(() => {
    if (moved.current) hereRef.current?.focus();
  }, [here.path]);
  const go = (next: Crumb[]) => {
    moved.current = true;
    setTrail(next);
  };

  useEffect(() => {
    let live = true;
    setListing(null);
    setError(null);
    void ask(() => bridge.sources.browse({ sourceId: source.id, path: here.path })).then((result) => {
      if (!live) return;
      if (result.ok) setListing(result.value);
      else setError(result.error);
    });
    return () => {
      live = false;
    };
  }, [bridge, source.id, here.path, attempt]);

  const ref = folderRef(source, here.path);
  const hasFiles = listing !== null && listing.summary.files > 0;
  // A folder of photos can be seen as a grid of previews; the choice stays while walking the source.
  const [layout, setLayout] = useState<'list' | 'grid'>('list');
  const hasThumbnail = useHasThumbnail();
  const photoFolder = listing !== null && listing.files.some((f) => hasThumbnail(source, f));

  return (
    <div className="folders">
      <nav aria-label="Folder path" className="crumbs">
        <ol>
          {trail.map((crumb, i) => (
            <li key={crumb.path}>
              {i < trail.length - 1 ? (
                <button type="button" className="link" onClick={() => go(trail.slice(0, i + 1))}>
                  {crumb.name}
                </button>
              ) : (
                <span aria-current="location" ref={hereRef} tabIndex={-1}>
                  {crumb.name}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      {listing === null && error === null && (
        <p className="muted" role="status">
          Opening {here.name}…
        </p>
      )}
      {error && (
        <ErrorText error={error}>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </ErrorText>
      )}
      {listing && (
        <>
          <div className="folder-summary" draggable={hasFiles} onDragStart={(e) => dragRef(e, ref)}>
            <span>
              {listing.files.length > 0 || listing.folders.length === 0
                ? `This folder: ${formatSummary(listing.summary.files, listing.summary.bytes, listing.summary.unknownSizes)}`
                : 'Open a folder to see its files.'}
            </span>
            {hasFiles && (
              <button type="button" className="primary" onClick={() => void addToCart([ref])} aria-label={`Add all files in ${here.name} to the list`}>
                Add this folder
              </button>
            )}
          </div>
          {photoFolder && (
            <div className="segmented" role="group" aria-label="Show files as">
              <button type="button" aria-pressed={layout === 'list'} onClick={() => setLayout('list')}>
                List
              </button>
              <button type="button" aria-pressed={layout === 'grid'} onClick={() => setLayout('grid')}>
                Grid
              </button>
            </div>
          )}
          <ListingView source={source} listing={listing} layout={photoFolder ? layout : 'list'} onOpen={(folder) => go([...trail, { path: folder.path, name: folder.name }])} />
        </>
      )}
    </div>
  );
}
