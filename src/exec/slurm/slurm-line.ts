// A hosts-file line that asks Slurm for hosts instead of naming one:
//
//   slurm:PARTITION nodes=N jobs=J [cores=C] [sf=S] [time=MINUTES] [constraint=EXPR] [wait=SECONDS] [idle=SECONDS]
//
// stands for N hosts, `slurm-PARTITION-1` to `-N`, each an allocation of one
// node with C CPUs (default J) and J slots, asked for when the build needs
// it (ready work and no free slot) and given back after `idle` seconds
// (default 60) without a job while nothing waits. The keys of an ssh host (arch, mem, dir, ...)
// mean the same here; `timeout` does not apply.

export interface SlurmPart {
  readonly partition: string;
  /** 1..nodes: which of the line's allocations this host is. */
  readonly index: number;
  readonly timeMin?: number;
  readonly constraint?: string;
  readonly waitS?: number;
  /** Given back to Slurm after this long without a job while nothing waits. */
  readonly idleS?: number;
}

export type SlurmLine =
  | { readonly ok: true; readonly partition: string; readonly nodes: number; readonly own: Omit<SlurmPart, 'partition' | 'index'>; readonly rest: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

export const SLURM_PREFIX = 'slurm:';

/** The host name of a line's `index`-th allocation. */
export function slurmHostName(partition: string, index: number): string {
  return `slurm-${partition}-${index}`;
}

/** Splits a `slurm:` line's own keys from the ones it shares with ssh hosts (`rest`). */
export function parseSlurmLine(name: string, tokens: readonly string[]): SlurmLine {
  const partition = name.slice(SLURM_PREFIX.length);
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(partition)) problems.push(`bad Slurm partition ${JSON.stringify(partition)}: letters, digits, '.', '-', '_'`);
  let nodes: number | undefined;
  const own: { timeMin?: number; constraint?: string; waitS?: number; idleS?: number } = {};
  const rest: string[] = [];
  for (const token of tokens) {
    const [key = '', value = ''] = token.split(/=(.*)/s);
    switch (key) {
      case 'nodes': nodes = whole(value, 1, 1024) ?? fail(`nodes must be a whole number from 1 to 1024, not ${JSON.stringify(value)}`); break;
      case 'time': {
        const n = whole(value, 1, 525_600);
        if (n === undefined) fail(`time must be whole minutes from 1 to 525600, not ${JSON.stringify(value)}`);
        else own.timeMin = n;
        break;
      }
      case 'wait': {
        const n = whole(value, 1, 86_400);
        if (n === undefined) fail(`wait must be whole seconds from 1 to 86400, not ${JSON.stringify(value)}`);
        else own.waitS = n;
        break;
      }
      case 'idle': {
        const n = whole(value, 1, 86_400);
        if (n === undefined) fail(`idle must be whole seconds from 1 to 86400, not ${JSON.stringify(value)}`);
        else own.idleS = n;
        break;
      }
      case 'constraint':
        if (/^[A-Za-z0-9_.,&|*()[\]-]{1,256}$/.test(value)) own.constraint = value;
        else fail(`constraint must be a Slurm feature expression (letters, digits, & | , * ( ) [ ]), not ${JSON.stringify(value)}`);
        break;
      case 'timeout': fail('timeout is ssh\'s connect timeout; a slurm: line waits for its allocation up to wait=SECONDS'); break;
      default: rest.push(token);
    }
  }
  if (nodes === undefined && problems.length === 0) problems.push('a slurm: line needs nodes=N, the most allocations kiln may hold');
  return problems.length > 0 || nodes === undefined ? { ok: false, problems } : { ok: true, partition, nodes, own, rest };

  function fail(message: string): undefined {
    problems.push(message);
    return undefined;
  }
}

function whole(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,7}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}
