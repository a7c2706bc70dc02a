import type { ChildProcess } from 'node:child_process';

export function freePort(): Promise<number>;
export function waitForPort(port: number, child?: ChildProcess): Promise<boolean>;
