// The only file in main that touches ipcMain (a lint rule says so). One handler per contract
// channel: the sender is checked here, the payload by the Service against the contract's schema.
// Events travel back to the window on one channel.
import { ipcMain, type WebContents } from 'electron';
import type { Logger } from '../core/log.js';
import type { ApiResult } from '../../preload/api.js';
import { eventChannel, requestChannels } from '../../preload/channels.js';
import type { AppService } from './contract.js';
import { senderRefusal } from './sender.js';

export interface IpcOptions {
  service: AppService;
  /** The web contents of our window now (it is made again after a close on macOS); null while there is none. */
  contents(): WebContents | null;
  /** The renderer's index.html: the only page whose messages are answered. */
  pageFile: string;
  log: Logger;
}

const forbidden: ApiResult<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'Cartage answers only its own window, and this request came from somewhere else.' },
};

/** Registers the request handlers and forwards the Service's events; returns the function that undoes both. */
export function registerIpc(o: IpcOptions): () => void {
  // Libraries open channels of their own (electron-store answers 'electron-store-get-data' to any
  // renderer): main answers the contract's channels only, each behind the sender check.
  for (const name of ipcMain.eventNames()) {
    if (typeof name !== 'string') continue;
    o.log.info(`Closed the IPC channel ${name}, which is not part of the contract.`);
    ipcMain.removeAllListeners(name);
  }
  for (const channel of requestChannels) {
    ipcMain.handle(channel, (event, raw: unknown): Promise<ApiResult<unknown>> => {
      const refusal = senderRefusal(event, o.contents(), o.pageFile);
      if (refusal !== null) {
        o.log.warn(`Refused ${channel}: ${refusal}.`);
        return Promise.resolve(forbidden);
      }
      return o.service.handle(channel, raw);
    });
  }
  const unsubscribe = o.service.on((name, payload) => {
    const contents = o.contents();
    if (contents && !contents.isDestroyed()) contents.send(eventChannel, name, payload);
  });
  return () => {
    unsubscribe();
    for (const channel of requestChannels) ipcMain.removeHandler(channel);
  };
}
