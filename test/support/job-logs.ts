// A job's log is one file: each phase's output under its `===> kiln: PHASE
// for ...` header, up to the next `===> kiln:` line. What the tests read of
// one phase.

const MARK = '===> kiln: ';

/** The output of `phase` in a job's whole log, byte for byte; undefined if the phase is not in it. */
export function phaseOutput(whole: Buffer, phase: string): Buffer | undefined {
  const text = whole.toString('latin1'); // one char per byte: offsets are byte offsets
  const header = `${MARK}${phase} for `;
  const at = text.startsWith(header) ? 0 : text.indexOf(`\n${header}`) + 1;
  if (at === 0 && !text.startsWith(header)) return undefined;
  const start = text.indexOf('\n', at) + 1;
  const next = text.indexOf(`\n${MARK}`, start - 1);
  return whole.subarray(start, next < 0 ? whole.length : next + 1);
}

/** `phaseOutput` as text. */
export function phaseText(whole: Buffer | string, phase: string): string | undefined {
  return phaseOutput(typeof whole === 'string' ? Buffer.from(whole) : whole, phase)?.toString('utf8');
}

/** The phases a job's whole log holds, in order. */
export function phasesIn(whole: Buffer | string): string[] {
  const text = typeof whole === 'string' ? whole : whole.toString('latin1');
  return [...text.matchAll(/^===> kiln: (\S+) for /gm)].map((m) => m[1]!);
}
