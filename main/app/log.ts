// The shell's own log, beside the core's in the user's log folder. electron-log/node rather than
// electron-log/main: the latter listens on an IPC channel of its own for renderer log lines, a way
// into main that would bypass the sender checks in ipc.ts. The shell logs channels, codes and
// sentences, never a payload (a source's password travels in one).
import log from 'electron-log/node';
import path from 'node:path';
import type { Logger } from '../core/log.js';

/** Opens main.log in `logDir` and records uncaught errors there. */
export function createAppLog(logDir: string): Logger {
  const logger = log.create({ logId: 'cartage-app' });
  logger.transports.file.resolvePathFn = () => path.join(logDir, 'main.log');
  logger.transports.file.level = 'info';
  logger.transports.console.level = process.env.CARTAGE_LOG_CONSOLE ? 'info' : 'warn';
  logger.errorHandler.startCatching({ showDialog: false });
  return logger;
}
