import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cartage's version, from its package.json (found upward from here: the source tree or its build in dist/). */
export function cartageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cartage' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look one folder up.
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
