/** Fails the type-check when a switch over a union misses a case, and throws if one slips through at run time. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
