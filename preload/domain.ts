// The words the core and the contract share: the states of a task and of a delivery, a delivery's
// kind and layout, a file's group, a source's kind. One list each, which the core's types, the
// contract's DTOs and its zod schemas are all made from, so none of them can drift from the others.
// No imports: the core, the renderer and the sandboxed preload may all read it.

/** Where a download is: waiting, running, stopped by a person, or done one way or another. */
export const taskStates = ['queued', 'active', 'paused', 'completed', 'failed', 'canceled', 'skipped'] as const;
export type TaskState = (typeof taskStates)[number];

/** What kind of file a download is: limits per group and the window's filters go by it. */
export const taskGroups = ['image', 'video', 'livephoto', 'other'] as const;
export type TaskGroup = (typeof taskGroups)[number];

/** Where a delivery is: downloading, being zipped, or ended. */
export const deliveryStates = ['running', 'assembling', 'completed', 'canceled', 'failed'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** How a delivery arrives: as files in a folder, or as one zip. */
export const deliveryKinds = ['files', 'zip'] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

/** How delivered files are arranged: all in one folder, by the folder they came from, or by date. */
export const layouts = ['flat', 'folders', 'date'] as const;
export type Layout = (typeof layouts)[number];

/** The layouts a mirror may keep: every one but flat. */
export const mirrorLayouts = ['folders', 'date'] as const satisfies readonly Layout[];
export type MirrorLayout = (typeof mirrorLayouts)[number];

/** The libraries a person adds: an Immich server, a WebDAV share, a web server's folder listing, Synapse. */
export const sourceKinds = ['immich', 'webdav', 'web', 'synapse'] as const;
export type SourceKind = (typeof sourceKinds)[number];
