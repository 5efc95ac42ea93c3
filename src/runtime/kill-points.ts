// Fault injection for the tests that kill the coordinator: with
// KILN_KILL_AT=POINT[:N] in its environment, `kiln build` sends itself
// SIGKILL the Nth time (default the first) it reaches POINT, exactly as a
// kill from outside or a power cut would end it: no handler runs, nothing
// is flushed. The points are named where they are reached (build-run.ts,
// scan-feed.ts, coordinator.ts, running-jobs.ts, run-session.ts):
// scanned-port, resolved, planned, start-recorded, phase-<phase>,
// job-result, job-recorded, indexed, reporting, finishing.

export type KillPoints = (point: string) => void;

/** The point function for a KILN_KILL_AT value; undefined (no faults) when it is not set. */
export function killPoints(spec: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): KillPoints | undefined {
  if (spec === undefined || spec === '') return undefined;
  const match = /^([a-z0-9-]+)(?::(\d+))?$/.exec(spec);
  if (!match) throw new Error(`KILN_KILL_AT wants POINT[:N], not ${JSON.stringify(spec)}`);
  const point = match[1]!;
  const nth = Number(match[2] ?? '1');
  let seen = 0;
  return (reached) => {
    if (reached === point && ++seen === nth) kill();
  };
}
