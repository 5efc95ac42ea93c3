// What a build's make did over time, from its log: each sub-job of a test
// makefile prints when it starts and ends, the build when it is over
// (jobserver tests: how many make jobs ran at once, and when).

/** `count` independent sub-jobs of `seconds` each, for GNU make and bmake alike; each prints when it starts and ends. */
export function subJobsMakefile(count: number, seconds: number): string {
  const targets = Array.from({ length: count }, (_, i) => `t${i + 1}`).join(' ');
  return `all: ${targets}\n${targets}:\n\t@echo "sub-job start $$(date +%s.%N)"; sleep ${seconds}; echo "sub-job end $$(date +%s.%N)"\n`;
}

export interface Profile {
  /** Sub-jobs running at once, at most, over [from, to). */
  most(from: number, to: number): number;
  readonly over: number;
  readonly started: number;
}

export function profile(log: string): Profile {
  const events: Array<[number, number]> = [];
  for (const m of log.matchAll(/^sub-job (start|end) (\d+\.\d+)$/gm)) events.push([Number(m[2]), m[1] === 'start' ? 1 : -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const over = Number(/^build over (\d+\.\d+)$/m.exec(log)?.[1]);
  return {
    over, started: events[0]?.[0] ?? NaN,
    most(from, to) {
      let now = 0;
      let most = 0;
      for (const [at, step] of events) {
        now += step;
        if (at >= from && at < to) most = Math.max(most, now);
      }
      return most;
    },
  };
}
