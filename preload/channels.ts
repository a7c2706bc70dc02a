// The names of the contract's channels and events, without zod: the preload bundles this file
// alone, so the sandboxed preload stays small. api.ts checks that its schemas cover exactly these.

export const requestChannels = [
  'app.info',
  'sources.list',
  'sources.add',
  'sources.update',
  'sources.remove',
  'sources.browse',
  'sources.query',
  'sources.thumbnail',
  'cart.get',
  'cart.add',
  'cart.remove',
  'cart.clear',
  'cart.importSynapse',
  'checkout.plan',
  'checkout.start',
  'deliveries.list',
  'deliveries.cancel',
  'deliveries.retry',
  'deliveries.putBack',
  'deliveries.reveal',
  'tasks.list',
  'tasks.pause',
  'tasks.resume',
  'tasks.cancel',
  'tasks.retry',
  'tasks.pauseAll',
  'tasks.resumeAll',
  'tasks.cancelAll',
  'settings.get',
  'settings.update',
  'mirrors.list',
  'mirrors.add',
  'mirrors.update',
  'mirrors.run',
  'mirrors.pause',
  'mirrors.resume',
  'mirrors.remove',
  'links.open',
  'browser.status',
  'browser.connect',
] as const;
export type RequestChannel = (typeof requestChannels)[number];

export const eventNames = ['tasks.progress', 'tasks.changed', 'deliveries.changed', 'cart.changed', 'queue.paused', 'mirrors.changed'] as const;
export type EventName = (typeof eventNames)[number];

/** The IPC channel an event travels on (requests use their own names). */
export const eventChannel = 'cartage:event';
