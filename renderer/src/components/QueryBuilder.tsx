import { useEffect, useState } from 'react';
import type { ApiError, FolderDto, QueryPreviewDto, SourceDto } from '../../../preload/api';
import { ask, useBridge } from '../lib/bridge';
import { dragRef } from '../lib/drag';
import { formatBytes, formatSummary } from '../lib/format';
import { filtersProblem, immichQuery, nameQuery, noFilters, type ImmichFilters } from '../lib/query';
import { queryRef } from '../lib/refs';
import { useApp } from '../state/AppState';
import { ErrorText } from './ErrorText';
import { ImmichFilterFields } from './ImmichFilterFields';
import { Thumbnail, useHasThumbnail } from './Thumbnail';

/** How many matches the preview shows; the count and size are of all of them. */
const previewSize = 20;

/**
 * A search over a whole source: Immich by date, type, favourite, album, person, archive and name;
 * other sources by name. The count and total size are shown before the matches can be added.
 */
export function QueryBuilder({ source }: { source: SourceDto }) {
  const bridge = useBridge();
  const hasThumbnail = useHasThumbnail();
  const { addToCart } = useApp();
  const immich = source.kind === 'immich';
  const [filters, setFilters] = useState<ImmichFilters>(noFilters);
  const [albums, setAlbums] = useState<FolderDto[]>([]);
  const [preview, setPreview] = useState<{ query: string; result: QueryPreviewDto } | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  // Albums to choose from (an Immich source's "albums" folder).
  useEffect(() => {
    if (!immich || source.sharedLink) return;
    let live = true;
    void ask(() => bridge.sources.browse({ sourceId: source.id, path: 'albums' })).then((r) => {
      if (live && r.ok) setAlbums(r.value.folders);
    });
    return () => {
      live = false;
    };
  }, [bridge, immich, source.id, source.sharedLink]);

  if (immich && source.sharedLink) return <p className="note">A shared link cannot be searched; open Folders to see its files.</p>;

  const query = immich ? immichQuery(filters) : nameQuery(filters.name);
  const current = preview !== null && preview.query === query ? preview.result : null;

  const run = async () => {
    const problem = immich ? filtersProblem(filters) : query === '' ? 'Type part of a file name to search for.' : null;
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    const result = await ask(() => bridge.sources.query({ sourceId: source.id, query, preview: previewSize }));
    setBusy(false);
    if (result.ok) setPreview({ query, result: result.value });
    else setError(result.error);
  };

  const ref = queryRef(source, query);
  return (
    <form
      className="query"
      aria-label={`Search ${source.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      {immich ? (
        <ImmichFilterFields filters={filters} albums={albums} onChange={setFilters} />
      ) : (
        <label className="field">
          <span>Name contains</span>
          <input type="search" value={filters.name} onChange={(e) => setFilters({ ...filters, name: e.target.value })} />
        </label>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Counting…' : 'Count matches'}
        </button>
      </div>
      <ErrorText error={error} />
      {current && (
        <div className="query-result" aria-live="polite">
          <div className="folder-summary" draggable={current.summary.files > 0} onDragStart={(e) => dragRef(e, ref)}>
            <span>
              <strong>{current.summary.files === 0 ? 'No matches.' : `${formatSummary(current.summary.files, current.summary.bytes, current.summary.unknownSizes)} match.`}</strong>
            </span>
            {current.summary.files > 0 && (
              <button type="button" className="primary" onClick={() => void addToCart([ref])}>
                Add all {current.summary.files} to the list
              </button>
            )}
          </div>
          {current.files.length > 0 && (
            <>
              <p className="muted small">
                {current.files.length < current.summary.files ? `The first ${current.files.length}:` : 'All of them:'}
              </p>
              <ul className="preview-files">
                {current.files.map((f) => (
                  <li key={f.id}>
                    {hasThumbnail(source, f) && <Thumbnail source={source} file={f} />}
                    <span>{f.name}</span> <span className="muted small">{formatBytes(f.size)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {preview && !current && <p className="muted small">The filters changed: count the matches again before adding them.</p>}
    </form>
  );
}
