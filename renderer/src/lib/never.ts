/** Makes a switch over a union exhaustive: a missing case fails the type-check here. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
