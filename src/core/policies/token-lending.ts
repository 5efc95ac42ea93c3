// How a host's make-jobserver tokens are shared among its running jobs.
// A host has one token per core. Every running job holds the share it
// started with (the make jobs the engine gave it; the engine counts only
// these as cores in use). The tokens no share holds are lent, whole, to the
// running jobs that may run make in parallel (MAKE_JOBS_SAFE), the one on
// the longest remaining path first, each up to `cap` tokens in all. A job
// never holds fewer than its share: when the engine starts a new job on
// cores that were lent, the lenders take them back (the next rebalance
// lends only what the shares leave free).

/** A running job as the lending sees it. */
export interface TokenHolder {
  readonly job: number;
  /** The make jobs it started with: always its own. */
  readonly share: number;
  /** May run more than one make job (not MAKE_JOBS_SAFE=no). */
  readonly parallel: boolean;
  /** Its build priority: bigger is on a longer remaining path. */
  readonly priority: number;
  /**
   * Cores it keeps busy with `tokens` tokens (make holds a token only while
   * a sub-job runs); all of them when not given.
   */
  readonly busy?: (tokens: number) => number;
}

/**
 * Tokens each job of a host holds, by job id: its share, and for parallel
 * jobs, highest priority first (then lowest job id), the free tokens up to
 * `cap` each. `cap` defaults to the host's cores.
 */
export function lendTokens(cores: number, holders: readonly TokenHolder[], cap = cores): Map<number, number> {
  const held = new Map<number, number>();
  const busy = (h: TokenHolder, tokens: number): number => h.busy?.(tokens) ?? tokens;
  let free = cores;
  for (const h of holders) {
    held.set(h.job, h.share);
    free -= busy(h, h.share);
  }
  const borrowers = holders.filter((h) => h.parallel && h.share < cap)
    .sort((a, b) => b.priority - a.priority || a.job - b.job);
  for (const h of borrowers) {
    let tokens = h.share;
    while (tokens < cap) {
      const more = busy(h, tokens + 1) - busy(h, tokens);
      if (more > free + 1e-9) break;
      free -= more;
      tokens++;
    }
    held.set(h.job, tokens);
  }
  return held;
}

/** A job's pipe as the real broker saw it at one look (runtime's jobserver). */
export interface PipeLook {
  readonly job: number;
  /** Make jobs it started with: the implicit one of its make and share - 1 tokens. */
  readonly share: number;
  /** Tokens its builds hold now (taken from the pipe, not given back). */
  readonly held: number;
  /** It left no token idle in its pipe: it may want more. */
  readonly hungry: boolean;
  readonly priority: number;
}

/**
 * Tokens to put into each job's pipe, the idle ones having been taken out.
 * The host's tokens are its cores less one per job (its make's implicit
 * token) less those held. First every hungry job gets back up to its
 * share; a job that left tokens idle gets one spare (within its share),
 * to show whether it wants more; then the rest goes to the hungry jobs,
 * highest priority first, each up to `cap` make jobs.
 */
export function refillTokens(cores: number, pipes: readonly PipeLook[], cap = cores): Map<number, number> {
  const give = new Map<number, number>();
  let free = cores;
  for (const p of pipes) free -= 1 + p.held;
  const order = [...pipes].sort((a, b) => b.priority - a.priority || a.job - b.job);
  const add = (p: PipeLook, most: number): void => {
    const n = Math.max(0, Math.min(free, most));
    give.set(p.job, (give.get(p.job) ?? 0) + n);
    free -= n;
  };
  for (const p of order) add(p, p.hungry ? p.share - 1 - p.held : Math.min(1, p.share - 1 - p.held));
  for (const p of order) if (p.hungry) add(p, cap - 1 - p.held - (give.get(p.job) ?? 0));
  return give;
}
