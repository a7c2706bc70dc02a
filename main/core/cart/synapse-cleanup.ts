import type { Logger } from '../log.js';
import type { Task } from '../queue/task.js';
import type { Settings } from '../settings.js';
import type { SourceRegistry } from '../sources/registry.js';
import { removeFromList } from '../sources/synapse-list.js';
import { SynapseSource } from '../sources/synapse.js';

/**
 * Takes files Cartage delivered off the person's Synapse download list: only once a task is
 * completed (its bytes verified against the MD5 and renamed into place, or into a zip's staging),
 * never before, and only while the setting says so (on by default). A failure is logged: the
 * file is home, and the entry on Synapse does no harm.
 */
export class SynapseListCleanup {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly registry: SourceRegistry,
    private readonly settings: () => Settings,
    private readonly log: Logger,
  ) {}

  /** Called with every task event; acts on Synapse files that just completed. */
  onTask(task: Task): void {
    if (task.state !== 'completed' || !task.sourceRef.startsWith('source:') || !this.settings().synapseRemoveDelivered) return;
    const found = this.registry.fileOf(task);
    if (!found || !(found.source instanceof SynapseSource)) return;
    const [id, version] = found.fileId.split('.');
    const api = found.source.api;
    const job = removeFromList(api, [{ id: id!, version: Number(version ?? 1) }]).then(
      () => undefined,
      (err: unknown) => this.log.warn(`Could not take ${id} off the Synapse download list of "${found.record.name}": ${(err as Error).message}`),
    );
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Waits for the removals under way (before the process ends). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
