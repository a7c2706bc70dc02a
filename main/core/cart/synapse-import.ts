import { CartageError } from '../errors.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { RequiredAction } from '../sources/synapse-list.js';
import { portal, SynapseSource } from '../sources/synapse.js';
import type { AddOutcome, Cart, Candidate } from './cart.js';
import { plural } from './cart.js';

/** What an import did: the add's numbers and sentence, and what the files left on Synapse wait for. */
export interface ImportOutcome extends AddOutcome {
  actions: RequiredAction[];
}

/**
 * Brings the person's Synapse download list into the Cartage list, all of it or nothing (within
 * the list's limit), with Synapse's flags: files that cannot be fetched in bulk come in with the
 * reason; files that wait for an action stay on Synapse, and the sentence says what to do.
 */
export async function importSynapseList(cart: Cart, registry: SourceRegistry, ref: string): Promise<ImportOutcome> {
  const record = registry.get(ref);
  const source = registry.source(record);
  if (!(source instanceof SynapseSource)) {
    throw new CartageError('bad_input', `"${record.name}" is not a Synapse source: only Synapse keeps a download list to import. Nothing was added.`);
  }
  const { files, actions } = await source.downloadList();
  const sourceKey = `source:${record.id}`;
  const inList = new Set(cart.view().items.filter((i) => i.sourceKey === sourceKey).map((i) => i.remoteId));
  const candidates: Candidate[] = await Promise.all(files.map(async (file) => ({ sourceKey, file, url: (await source.resolve(file)).url, motionUrl: null })));
  const fresh = candidates.filter((c) => !inList.has(c.file.id)).length;
  const outcome = cart.addCandidates(candidates, { total: candidates.length, fresh, what: 'Your Synapse download list' });
  const waiting = actions.map(actionText).join('; ');
  return { ...outcome, actions, message: `${outcome.message}${waiting ? ` On Synapse, still waiting: ${waiting}.` : ''}` };
}

function actionText(a: RequiredAction): string {
  switch (a.kind) {
    case 'access_requirement':
      return `${plural(a.files, 'file')} need${a.files === 1 ? 's' : ''} access requirement ${a.id} met (request access at ${portal}/#!AccessRequirement:AR_ID=${a.id})`;
    case 'download_permission':
      return `${plural(a.files, 'file')} need${a.files === 1 ? 's' : ''} the Download permission from the owner of syn${a.id}`;
    case 'two_factor':
      return `${plural(a.files, 'file')} need${a.files === 1 ? 's' : ''} two-factor authentication turned on in your Synapse account`;
  }
}
