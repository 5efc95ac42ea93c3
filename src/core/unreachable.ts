/** Ends an exhaustive `switch`: the compiler proves this is never called. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
