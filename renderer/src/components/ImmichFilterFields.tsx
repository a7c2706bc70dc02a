import type { FolderDto } from '../../../preload/api';
import type { ImmichFilters } from '../lib/query';

/** The Immich search filters as labelled fields. */
export function ImmichFilterFields({ filters, albums, onChange }: { filters: ImmichFilters; albums: FolderDto[]; onChange: (f: ImmichFilters) => void }) {
  const set = <K extends keyof ImmichFilters>(key: K, value: ImmichFilters[K]) => onChange({ ...filters, [key]: value });
  return (
    <div className="filters">
      <label className="field">
        <span>Taken after</span>
        <input type="date" value={filters.after} onChange={(e) => set('after', e.target.value)} />
      </label>
      <label className="field">
        <span>Taken before</span>
        <input type="date" value={filters.before} onChange={(e) => set('before', e.target.value)} />
      </label>
      <label className="field">
        <span>Type</span>
        <select value={filters.type} onChange={(e) => set('type', e.target.value as ImmichFilters['type'])}>
          <option value="">Photos and videos</option>
          <option value="image">Photos only</option>
          <option value="video">Videos only</option>
        </select>
      </label>
      <label className="field">
        <span>Favourites</span>
        <select value={filters.favorite} onChange={(e) => set('favorite', e.target.value as ImmichFilters['favorite'])}>
          <option value="">Any</option>
          <option value="true">Favourites only</option>
          <option value="false">Not favourites</option>
        </select>
      </label>
      <label className="field">
        <span>Album</span>
        <select value={filters.album} onChange={(e) => set('album', e.target.value)}>
          <option value="">Any album</option>
          {albums.map((a) => (
            <option key={a.path} value={a.path.replace(/^albums\//, '')}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Person (id)</span>
        <input type="text" value={filters.person} placeholder="one or more ids" onChange={(e) => set('person', e.target.value)} spellCheck={false} />
      </label>
      <label className="field">
        <span>Archived</span>
        <select value={filters.archived} onChange={(e) => set('archived', e.target.value as ImmichFilters['archived'])}>
          <option value="exclude">Leave out</option>
          <option value="include">Include</option>
          <option value="only">Only archived</option>
        </select>
      </label>
      <label className="field">
        <span>Name contains</span>
        <input type="search" value={filters.name} onChange={(e) => set('name', e.target.value)} />
      </label>
    </div>
  );
}
