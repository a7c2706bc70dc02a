import { CartageError } from '../core/errors.js';

export const usage = `cartage: download manager with a persistent, resumable queue

Usage:
  cartage get REF... [--dir DIR] [--concurrency N] [--connections N] [--limit-rate RATE] [--sha256 HEX] [--input FILE] [--json]
      Queue the files and download them; prints progress and a summary.
      REF is a URL, a file or folder of a source (photos:albums/ID, nas:Holidays/2024;
      a folder's own files, not its sub-folders), or a query (photos?after=2024-01-01&type=video).
      --limit-rate caps the speed of the whole run, in bytes a second: 500K, 2M, 1G.
      --connections N fetches a file of 16 MiB or more over up to N connections at once (default 4;
      1: one each), when its server allows; they count against the limit per host.
      Exit code 0 when every file completed, 1 when any failed.
  cartage queue [--json]              List the queue.
  cartage pause ID...|--all           Pause downloads (their partial files are kept).
  cartage resume ID...|--all          Resume paused downloads and retry failed ones.
  cartage cancel ID...|--all          Cancel downloads and remove their partial files.
  cartage run [--limit-rate RATE] [--connections N] [--json]
                                      Work through the saved queue until it is empty
                                      (finishes downloads interrupted by a crash or a restart).

Sources (keys and passwords go to the secret store, never on the command line):
  cartage source add immich URL (--api-key-file FILE | --api-key-env VAR) [--name NAME]
      An Immich server; URL may also be a shared link (https://host/share/KEY), which needs no key.
  cartage source add webdav URL [--user USER (--password-env VAR | --password-file FILE)] [--name NAME]
  cartage source add web URL [--user USER (--password-env VAR | --password-file FILE)] [--name NAME]
      A web folder listing (nginx, Apache, rclone, python -m http.server).
  cartage source add synapse [URL] (--token-file FILE | --token-env VAR) [--name NAME]
      Synapse (synapse.org unless URL says otherwise), with a personal access token that has View and Download.
      Paths: syn123 (a project or folder), syn123/Raw data, a file's syn id; queries: 'SOURCE?SELECT * FROM syn456'.
      Any of them: --trust-certificate SHA256 trusts that one self-signed certificate for that source.
  cartage source ls [--json]          The sources added.
  cartage source rm NAME...           Remove sources and their saved keys.
  cartage ls SOURCE[:PATH] [--json]   Folders and files directly in a folder (Immich: albums, folders, timeline).
  cartage summary SOURCE[:PATH] [--json]
                                      How many files a folder holds directly, and their total size.
  cartage search SOURCE [--after DATE] [--before DATE] [--type image|video] [--favorite] [--album ID]
                 [--person ID] [--archived include|only] [--trashed include] [--name TEXT] [--json]
      Every matching file, across all pages. Web folders and WebDAV are searched by --name only.

The download list (at most 100 files unless raised; a folder or query goes in whole or not at all):
  cartage cart add REF...             REF: a URL, a folder URL (ending in /), SOURCE:PATH or SOURCE?FILTERS.
  cartage cart ls [--json]            The whole list, with sizes and what cannot be downloaded and why.
  cartage cart rm ID...               Remove entries.
  cartage cart clear                  Empty the list.
  cartage cart import SOURCE          Bring a Synapse source's own download list into this one (all or nothing);
                                      files Cartage delivers then leave the list on Synapse.
  cartage cart put-back DELIVERY      Put the files of a finished or canceled delivery that did not arrive back on the list.
  cartage checkout (--zip NAME | --files) --dir DIR [--layout flat|folders|date] [--yes] [--json]
      Check the list out in one go and download it: DIR/NAME.zip, or the files under DIR.
      Without --yes, shows the count, total size and free space and asks first.
  cartage deliveries [--json]         Each delivery: progress, failures with reasons, where it was saved.

  cartage serve [--port N] [--host 127.0.0.1] [--dir RENDERER_DIR]
      The app's window in a browser: serves the built page and downloads while it runs (Ctrl-C stops).
      Open the address it prints; its token is the key, so keep it to yourself.
  cartage browser install|uninstall [--chromium] [--chrome] [--firefox] [--user-data-dir DIR] [--extension-id ID] [--app PROGRAM]
      Lets the browser extension reach Cartage (writes or removes its native host manifests; all three
      browsers when none is named). "cartage native-host" is what the browser then starts. --app names
      the desktop app the extension's "Open Cartage" starts (without it, a cartage serve in a tab).

Mirrors (a folder kept in step with a source; files the mirror did not write are never touched):
  cartage mirror add SOURCE[:PATH]|SOURCE?FILTERS --to DIR [--layout folders|date] [--recursive]
                 [--every 6h] [--sidecars] [--apply-deletions] [--json]
      --apply-deletions moves files deleted on the source to the system trash (off: only reported).
  cartage mirror ls [--json]          Mirrors, their last run and next run.
  cartage mirror set ID [--every 6h|--manual] [--sidecars|--no-sidecars] [--apply-deletions|--keep-deleted]
                                      Change a mirror's schedule, sidecars or deletions (its reports stay).
  cartage mirror run ID...|--all [--json]
                                      Run now: new, changed, unchanged, failed, deleted on the source.
  cartage mirror pause|resume ID...   Pause or resume the downloads of a mirror's run.
  cartage mirror rm ID...             Forget a mirror (its files stay on disk).

  cartage help [COMMAND]              All commands, or one command's usage (also: cartage COMMAND --help).
  cartage --version                   The version of Cartage (also: -v).

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

/** `--limit-rate 500K | 2M | 1G | 250000`, in bytes a second (K, M, G of 1024, as curl reads them). */
/** A whole number within `limits` given to `option`, or a UsageError that says which are allowed. */
export function parseWhole(option: string, value: string, limits: { min: number; max: number }): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= limits.min && n <= limits.max)) throw new UsageError(`${option} takes a whole number from ${limits.min} to ${limits.max}, not "${value}".`);
  return n;
}

export function parseRate(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(value.trim());
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const rate = m ? Math.round(Number(m[1]) * scale) : NaN;
  if (!Number.isFinite(rate) || rate < 1) {
    throw new UsageError(`--limit-rate takes a speed in bytes a second such as 500K, 2M or 1G, not "${value}".`);
  }
  return rate;
}
