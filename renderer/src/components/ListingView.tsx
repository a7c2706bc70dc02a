import { useMemo } from 'react';
import type { FileDto, FolderDto, ListingDto, SourceDto } from '../../../preload/api';
import { dragRef } from '../lib/drag';
import { formatBytes, formatSummary, plural } from '../lib/format';
import { restrictionLabel } from '../lib/labels';
import { fileRef, folderRef } from '../lib/refs';
import { useApp } from '../state/AppState';
import { Badge } from './Badge';
import { OriginalLink } from './OriginalLink';
import { Thumbnail, useHasThumbnail } from './Thumbnail';
import { VirtualList } from './VirtualList';

/** A folder's sub-folders (open, or add their own files) and its files (add one); every row can be dragged to the list. */
export function ListingView({
  source,
  listing,
  onOpen,
  layout = 'list',
}: {
  source: SourceDto;
  listing: ListingDto;
  onOpen: (folder: FolderDto) => void;
  /** Files as rows, or as a grid of previews (photo folders). */
  layout?: 'list' | 'grid';
}) {
  const { addToCart, cart } = useApp();
  // A file's address is the same in the listing and in the list (both pass through safeLink in main).
  const inList = useMemo(() => new Set((cart.cart?.items ?? []).map((i) => i.href)), [cart.cart]);
  if (listing.folders.length === 0 && listing.files.length === 0) return <p className="empty">This folder is empty.</p>;
  return (
    <div className="listing">
      {listing.folders.length > 0 && (
        <VirtualList
          items={listing.folders}
          getKey={(f) => f.path}
          label="Folders"
          estimateSize={48}
          className="folder-list"
          renderItem={(folder) => <FolderRow source={source} folder={folder} onOpen={onOpen} onAdd={(ref) => void addToCart([ref])} />}
        />
      )}
      {listing.files.length > 0 && layout === 'grid' && (
        <ul className="file-grid" aria-label="Files">
          {listing.files.map((file) => (
            <li key={file.id}>
              <FileTile source={source} file={file} inList={inList.has(file.href)} onAdd={(ref) => void addToCart([ref])} />
            </li>
          ))}
        </ul>
      )}
      {listing.files.length > 0 && layout === 'list' && (
        <VirtualList
          items={listing.files}
          getKey={(f) => f.id}
          label="Files"
          estimateSize={48}
          className="file-list"
          renderItem={(file) => <FileRow source={source} file={file} inList={inList.has(file.href)} onAdd={(ref) => void addToCart([ref])} />}
        />
      )}
    </div>
  );
}

function FolderRow({ source, folder, onOpen, onAdd }: { source: SourceDto; folder: FolderDto; onOpen: (f: FolderDto) => void; onAdd: (ref: string) => void }) {
  const ref = folderRef(source, folder.path);
  return (
    <div className="entry folder" draggable onDragStart={(e) => dragRef(e, ref)}>
      <span className="icon" aria-hidden="true">
        ▸
      </span>
      <button type="button" className="link entry-name" onClick={() => onOpen(folder)} aria-label={`Open ${folder.name}`}>
        {folder.name}
      </button>
      <span className="muted small">{folder.count === null ? '' : folder.bytes != null ? formatSummary(folder.count, folder.bytes) : plural(folder.count, 'file')}</span>
      <button type="button" onClick={() => onAdd(ref)} aria-label={`Add folder ${folder.name}`} disabled={folder.count === 0}>
        Add
      </button>
    </div>
  );
}

function FileRow({ source, file, inList, onAdd }: { source: SourceDto; file: FileDto; inList: boolean; onAdd: (ref: string) => void }) {
  const hasThumbnail = useHasThumbnail();
  const ref = fileRef(source, file);
  return (
    <div className="entry file" draggable onDragStart={(e) => dragRef(e, ref)}>
      {hasThumbnail(source, file) && <Thumbnail source={source} file={file} />}
      <OriginalLink href={file.href} className="entry-name">
        {file.name}
      </OriginalLink>
      <span className="muted small">{formatBytes(file.size)}</span>
      <RestrictionBadge file={file} />
      {file.motion && <Badge>Live photo</Badge>}
      <AddOrInList file={file} inList={inList} onAdd={() => onAdd(ref)} />
    </div>
  );
}

/** One file in the grid: its preview, its name and size, and Add (or "In list"). */
function FileTile({ source, file, inList, onAdd }: { source: SourceDto; file: FileDto; inList: boolean; onAdd: (ref: string) => void }) {
  const hasThumbnail = useHasThumbnail();
  const ref = fileRef(source, file);
  return (
    <div className="tile" draggable onDragStart={(e) => dragRef(e, ref)}>
      {hasThumbnail(source, file) ? <Thumbnail source={source} file={file} size="large" /> : <span className="thumb thumb-large" />}
      <OriginalLink href={file.href} className="entry-name">
        {file.name}
      </OriginalLink>
      <span className="muted small">
        {formatBytes(file.size)}
        {file.motion ? ' · Live photo' : ''}
      </span>
      <RestrictionBadge file={file} />
      <AddOrInList file={file} inList={inList} onAdd={() => onAdd(ref)} />
    </div>
  );
}

/** Why a file cannot be downloaded, when it cannot. */
function RestrictionBadge({ file }: { file: FileDto }) {
  if (file.access.downloadable) return null;
  return (
    <Badge tone="warn" title={file.access.reason ?? undefined}>
      {restrictionLabel(file.access.restriction)}
    </Badge>
  );
}

/** Add, or "In list" for a file already in the download list. */
function AddOrInList({ file, inList, onAdd }: { file: FileDto; inList: boolean; onAdd: () => void }) {
  return inList ? (
    <span className="in-list small" aria-label={`${file.name} is in the download list`}>
      In list
    </span>
  ) : (
    <button type="button" onClick={onAdd} aria-label={`Add ${file.name}`}>
      Add
    </button>
  );
}
