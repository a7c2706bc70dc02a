import { usage, UsageError } from './usage.js';

/** The usage lines of each command: an entry starts at `  cartage NAME` and runs over its deeper-indented lines. */
function entriesByCommand(): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let current: string | null = null;
  for (const line of usage.split('\n')) {
    const start = /^ {2}cartage ([a-z-]+)/.exec(line);
    if (start) {
      current = start[1]!;
      entries.set(current, [...(entries.get(current) ?? []), line]);
    } else if (current && /^ {3,}\S/.test(line)) {
      entries.get(current)!.push(line);
    } else {
      // A heading or a blank line ends the entry.
      current = null;
    }
  }
  return entries;
}

/** The help of one command (`cartage help get`, `cartage get --help`); an unknown name is refused with the list of commands. */
export function commandHelp(name: string, commands: readonly string[]): string {
  if (!commands.includes(name)) {
    throw new UsageError(`"${name}" is not a cartage command; the commands are ${commands.join(', ')}.`);
  }
  const lines = entriesByCommand().get(name) ?? [`  cartage ${name}`];
  return `Usage:\n${lines.join('\n')}\n\nEvery command takes --data-dir DIR (or CARTAGE_DATA_DIR) for where the queue and logs live.`;
}
