import log from 'electron-log/node';
import path from 'node:path';
import { logDir } from './paths.js';

export type Logger = Pick<typeof log, 'info' | 'warn' | 'error'>;

/**
 * The core's log, written to the data folder's `logs/`. Only names, URLs without credentials, states
 * and error sentences go in: request headers are never logged.
 */
export function createLogger(dataDir: string, console = false): Logger {
  const logger = log.create({ logId: `cartage-${dataDir}` });
  logger.transports.file.resolvePathFn = () => path.join(logDir(dataDir), 'cartage.log');
  logger.transports.file.level = 'info';
  logger.transports.console.level = console ? 'info' : false;
  return logger;
}

/** A URL fit for the log: user and password removed, query kept (it may name the file) but not its `key`. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    for (const k of ['key', 'token', 'access_token', 'apikey', 'api_key', 'sig', 'signature']) {
      if (u.searchParams.has(k)) u.searchParams.set(k, 'REDACTED');
    }
    return u.href;
  } catch {
    return '(unreadable URL)';
  }
}
