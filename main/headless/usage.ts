import { CartageError } from '../core/errors.js';

export const usage = `cartage: download manager with a persistent, resumable queue

Usage:
  cartage get URL... [--dir DIR] [--concurrency N] [--sha256 HEX] [--input FILE] [--json]
      Queue the files and download them; prints progress and a summary.
      Exit code 0 when every file completed, 1 when any failed.
  cartage queue [--json]              List the queue.
  cartage pause ID...|--all           Pause downloads (their partial files are kept).
  cartage resume ID...|--all          Resume paused downloads and retry failed ones.
  cartage cancel ID...|--all          Cancel downloads and remove their partial files.
  cartage run [--json]                Work through the saved queue until it is empty
                                      (finishes downloads interrupted by a crash or a restart).

Every command takes --data-dir DIR (or CARTAGE_DATA_DIR) for where the queue and logs live.
Bad input exits with code 2 and changes nothing.`;

/** Bad input on the command line: one sentence, exit code 2, nothing changed. */
export class UsageError extends CartageError {
  constructor(message: string) {
    super('bad_input', message);
  }
}

/** Parses task ids (or --all) for pause, resume and cancel. */
export function parseIds(values: readonly string[], all: boolean, verb: string): number[] | 'all' {
  if (all && values.length) throw new UsageError(`Give either task ids or --all to ${verb}, not both.`);
  if (all) return 'all';
  if (!values.length) throw new UsageError(`Say which downloads to ${verb}: task ids (see "cartage queue") or --all.`);
  return values.map((v) => {
    if (!/^\d+$/.test(v)) throw new UsageError(`"${v}" is not a task id; ids are the numbers "cartage queue" shows.`);
    return Number(v);
  });
}
