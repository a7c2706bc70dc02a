/** Where the window is: one of the views, with what it was opened for. */
export type Route =
  | { view: 'browse'; sourceId?: number }
  | { view: 'cart'; checkout?: boolean }
  | { view: 'downloads' }
  | { view: 'mirrors'; edit?: number; add?: boolean }
  | { view: 'sources'; edit?: number; add?: boolean }
  | { view: 'settings' };

export type View = Route['view'];

export const views: readonly { view: View; label: string }[] = [
  { view: 'browse', label: 'Browse' },
  { view: 'cart', label: 'Download list' },
  { view: 'downloads', label: 'Downloads' },
  { view: 'mirrors', label: 'Mirrors' },
  { view: 'sources', label: 'Sources' },
  { view: 'settings', label: 'Settings' },
];
