import type { AddedSourceDto, ApiResult, CartageBridge, RequestInput, SourceDto } from '../../../preload/api';
import { ask } from './bridge';

export type SourceInput = RequestInput<'sources.add'>;

/** The code and detail of the error `sources.add` answers for a self-signed certificate. */
export const untrustedCertificate = 'untrusted_certificate';

/**
 * Saves a connection. An edit of the same kind changes it in place (`sources.update`: its id, and
 * so its list entries and downloads, stay; a key or password left empty is kept); a change of kind
 * adds the new connection first and removes the old one only once the new one works.
 */
export async function saveSource(bridge: CartageBridge, input: SourceInput, editing: SourceDto | null): Promise<ApiResult<AddedSourceDto>> {
  if (editing && editing.kind === input.kind) {
    const { kind: _kind, ...changes } = input;
    return ask(() => bridge.sources.update({ id: editing.id, ...changes }));
  }
  const added = await ask(() => bridge.sources.add(input));
  if (added.ok && editing) {
    const removed = await ask(() => bridge.sources.remove({ id: editing.id }));
    if (!removed.ok) return removed;
  }
  return added;
}
