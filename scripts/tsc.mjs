// Runs the project's own TypeScript compiler through node (no .bin shims, so it works the same on
// Windows), for the install and start scripts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const tscBin = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Compiles one tsconfig; returns true when it built, after the compiler has printed its errors. */
export function tsc(project, ...args) {
  if (!existsSync(tscBin)) {
    console.error(`Cartage: TypeScript is not installed in ${root}node_modules; run "npm install" there (without --omit=dev).`);
    return false;
  }
  const run = spawnSync(process.execPath, [tscBin, '-p', project, ...args], { cwd: root, stdio: 'inherit' });
  if (run.error) console.error(`Cartage: could not run the TypeScript compiler: ${run.error.message}`);
  return run.status === 0;
}
