// Reads the records the scan program writes (see scan-program.ts) into
// values. Anything out of shape is an error message, never a guess.

import { PORTFILE_VARIABLES, type PortfileVariable } from './scan-program.js';

/** What the Portfile left in one variable. */
export type Value =
  | { readonly kind: 'unset' }
  | { readonly kind: 'scalar'; readonly value: string }
  | { readonly kind: 'array'; readonly values: readonly string[] }
  | { readonly kind: 'assoc' };

export interface ScanOutput {
  /** Exit status of `source Portfile`. */
  readonly status: number;
  readonly values: ReadonlyMap<PortfileVariable, Value>;
  /** Absolute paths of the files the Portfile sourced, as it named them. */
  readonly sourced: readonly string[];
}

export function parseScanOutput(stdout: Buffer): ScanOutput | { readonly error: string } {
  if (stdout.length === 0) return { error: 'the Portfile ended the scan before it finished (exit in the Portfile?)' };
  const fields = stdout.toString('utf8').split('\0');
  let pos = 0;
  const next = (): string | undefined => fields[pos++];
  if (next() !== 'kiln-scan-1' || next() !== 'status') return { error: 'the scan wrote output kiln does not understand' };
  const status = Number(next());
  if (!Number.isInteger(status)) return { error: 'the scan wrote output kiln does not understand' };
  const values = new Map<PortfileVariable, Value>();
  let sourced: string[] = [];
  for (const expected of [...PORTFILE_VARIABLES, '__kiln_sourced'] as const) {
    const name = next();
    const kind = next();
    const count = Number(next());
    if (name !== expected || !Number.isInteger(count) || count < 0 || pos + count > fields.length) {
      return { error: `the scan's output is cut short or out of order at ${expected}` };
    }
    const items = fields.slice(pos, pos + count);
    pos += count;
    const value = valueOf(kind, items);
    if (!value) return { error: `the scan's output has an unknown kind for ${expected}` };
    if (expected === '__kiln_sourced') sourced = value.kind === 'array' ? [...value.values] : [];
    else values.set(expected, value);
  }
  if (next() !== 'end' || next() !== '' || pos !== fields.length) return { error: "the scan's output goes on past its end" };
  return { status, values, sourced };
}

function valueOf(kind: string | undefined, items: string[]): Value | undefined {
  if (kind === 'unset') return { kind: 'unset' };
  if (kind === 'assoc') return { kind: 'assoc' };
  if (kind === 'scalar') return { kind: 'scalar', value: items[0] ?? '' };
  if (kind === 'array') return { kind: 'array', values: items };
  return undefined;
}
