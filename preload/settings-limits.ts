// The settings' bounds and choices, in one place for the stored settings (main/core/settings.ts),
// the contract's `settings.update` and the CLI's options. No imports: the renderer may read it too.

/** Transfers at once, in all, per host and per group (the CLI's --concurrency). */
export const transfersAtOnce = { min: 1, max: 64 } as const;

/** Connections one large file may be fetched over at once (1: never split). */
export const connectionsPerFile = { min: 1, max: 16 } as const;

/** Files the download list may be set to hold (the design's 100; up to 10,000). */
export const cartLimits = { min: 1, max: 10_000 } as const;

/** What happens when a file of the same name is already in the target folder. */
export const conflictPolicies = ['rename', 'overwrite', 'skip'] as const;

/** The window's colours: the system's, or always light or dark. */
export const themes = ['system', 'light', 'dark'] as const;
