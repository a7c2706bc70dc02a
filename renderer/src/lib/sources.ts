import type { AddedSourceDto, ApiResult, CartageBridge, RequestInput, SourceDto } from '../../../preload/api';
import { ask } from './bridge';

export type SourceInput = RequestInput<'sources.add'>;

/** The code and detail of the error `sources.add` answers for a self-signed certificate. */
export const untrustedCertificate = 'untrusted_certificate';

/**
 * Saves a connection. An edit replaces the old one: the contract has no `sources.update`, so the
 * old source is removed and the new details added under its name (`replacing` is then null for a
 * retry, such as trusting a certificate, since the old one is gone already).
 */
export async function saveSource(
  bridge: CartageBridge,
  input: SourceInput,
  replacing: SourceDto | null,
  onReplaced: () => void,
): Promise<ApiResult<AddedSourceDto>> {
  if (replacing) {
    const removed = await ask(() => bridge.sources.remove({ id: replacing.id }));
    if (!removed.ok) return removed;
    onReplaced();
  }
  return ask(() => bridge.sources.add(input));
}
