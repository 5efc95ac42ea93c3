// `kiln simulate`: runs the real engine on a fake clock over a recorded
// graph and history, with kiln's order or an anchor's, and says how close
// to the bound its makespan came. Reads plain or gzipped files.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { parseDepgraph } from '../../core/formats/depgraph.js';
import { parseHistoryCsv, type HistoryRecord } from '../../core/formats/history-csv.js';
import { parseHostsSpec, type HostLine } from '../../core/formats/hosts-spec.js';
import { isPolicyName, POLICY_NAMES } from '../../core/policies/policy-set.js';
import { prepareSimulation } from '../../core/simulation/simulation-setup.js';
import { simulate } from '../../core/simulation/simulator.js';
import { integer, parse } from '../args.js';
import { exitHelp } from '../exit-status.js';
import { type Command, type CommandIO, UsageError, UserError } from '../command.js';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run the scheduler on a fake clock over a recorded graph and history',
  help: `usage: kiln simulate --graph FILE --history FILE [--actual FILE] [--slots N] [--cores N]
                     [--hosts FILE] [--policy kiln|pbulk|dpb|poudriere] [--json]

Runs the real engine on a fake clock over a recorded build: every package of
the graph is built once, in the order the policy gives, and each job takes
the time the actual record says.

  --graph FILE     edges 'DEPENDENCY -> DEPENDENT', one a line (plain or .gz)
  --history FILE   history CSV: what the engine may know beforehand
  --actual FILE    history CSV: how long jobs really take (default: --history);
                   a package with no row there was not built by that run: 0 s
  --slots N        one host with N slots (default: --cores, else 8)
  --cores N        a core budget shared as make jobs (per host with --hosts,
                   where a host's cores= wins); without it every job takes
                   its recorded time whatever its make jobs
  --hosts FILE     dpb's hosts file: 'name jobs=N sf=S cores=C' a line; a job
                   on a host of speed sf takes its time * (largest sf / sf);
                   features= and mandatory= place ports as kiln build does
  --policy NAME    kiln (default), or an anchor: pbulk (most dependents),
                   poudriere (longest chain of dependents), dpb (own and
                   dependents' past times, speed bins)
  --json           one JSON object: makespan_s, lower_bound_s, critical_path_s,
                   work_s, slots, cores, engine_s, and more

lower_bound_s is max(critical path, work / slots) on the actual times. With a
core budget, core_bound_s is what no sharing of cores can beat.

${exitHelp('0 simulated')}`,
  run(args, io) {
    const { values, positionals } = parse(args, {
      graph: { type: 'string' }, history: { type: 'string' }, actual: { type: 'string' },
      slots: { type: 'string' }, cores: { type: 'string' }, hosts: { type: 'string' },
      policy: { type: 'string' }, json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.graph === undefined) throw new UsageError('--graph FILE is required');
    if (values.history === undefined) throw new UsageError('--history FILE is required');
    if (values.hosts !== undefined && values.slots !== undefined) throw new UsageError('--slots and --hosts do not go together: slots come from the hosts file');
    const policy = values.policy ?? 'kiln';
    if (!isPolicyName(policy)) throw new UsageError(`--policy wants one of ${POLICY_NAMES.join(', ')}, not '${policy}'`);
    const slots = values.slots === undefined ? undefined : integer(values.slots, 'slots', 1);
    const cores = values.cores === undefined ? undefined : integer(values.cores, 'cores', 1);

    const graph = parseDepgraph(readText(io, values.graph));
    warn(io, values.graph, graph.problems);
    if (graph.pkgnames.length === 0) throw new UserError(`${values.graph}: no edges`);
    const history = readHistory(io, values.history);
    const actual = values.actual === undefined ? undefined : readHistory(io, values.actual);
    const hosts = values.hosts === undefined ? undefined : readHosts(io, values.hosts);

    const prepared = prepareSimulation({
      graph, history, policy,
      ...(actual && { actual }), ...(slots !== undefined && { slots }), ...(cores !== undefined && { cores }), ...(hosts && { hosts }),
    });
    const result = simulate({ ...prepared.setup, cpuClock });
    const b = prepared.bounds;
    const report = {
      makespan_s: round(result.makespanS), lower_bound_s: round(b.lowerBoundS), critical_path_s: round(b.criticalPathS),
      work_s: round(b.workS), slots: b.slots, cores: b.cores, engine_s: round(result.engineS, 4),
      policy, ratio: round(result.makespanS / b.lowerBoundS, 4),
      core_bound_s: b.coreBoundS === null ? null : round(b.coreBoundS),
      packages: graph.pkgnames.length, jobs: result.jobsRun, events: result.events,
      engine_us_per_event: round((result.engineS * 1e6) / result.events, 2), result: result.result,
    };
    if (values.json) {
      io.stdout.write(JSON.stringify(report) + '\n');
    } else {
      const hours = (s: number): string => `${(s / 3600).toFixed(2)} h`;
      io.stdout.write([
        `policy ${policy}: ${graph.pkgnames.length} packages on ${b.slots} slots${b.cores === null ? '' : `, ${b.cores} cores shared`}`,
        `makespan     ${hours(result.makespanS)}  (${report.ratio} x the lower bound)`,
        `lower bound  ${hours(b.lowerBoundS)}  = max(critical path ${hours(b.criticalPathS)}, work ${hours(b.workS)} / slots)`,
        ...(b.coreBoundS === null ? [] : [`core bound   ${hours(b.coreBoundS)}  (no sharing of the cores can beat it)`]),
        `engine       ${report.engine_s} s CPU for ${result.events} events (${report.engine_us_per_event} us each)`,
      ].join('\n') + '\n');
    }
    return Promise.resolve(0);
  },
};

function cpuClock(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function readText(io: CommandIO, file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(io.cwd, file));
  } catch (err) {
    throw new UserError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new UserError(`${file}: bad gzip data: ${(err as Error).message}`);
    }
  }
  return bytes.toString('utf8');
}

function readHistory(io: CommandIO, file: string): HistoryRecord[] {
  const parsed = parseHistoryCsv(readText(io, file));
  warn(io, file, parsed.problems);
  if (parsed.records.length === 0 && parsed.problems.length > 0) throw new UserError(`${file}: no history rows (${parsed.problems[0]!.reason})`);
  return parsed.records;
}

function readHosts(io: CommandIO, file: string): HostLine[] {
  const parsed = parseHostsSpec(readText(io, file));
  if (parsed.problems.length > 0) throw new UserError(`${file}:${parsed.problems[0]!.line}: ${parsed.problems[0]!.reason}`);
  if (parsed.hosts.length === 0) throw new UserError(`${file}: no hosts`);
  return parsed.hosts;
}

function warn(io: CommandIO, file: string, problems: readonly { line: number; reason: string }[]): void {
  for (const p of problems.slice(0, 5)) io.stderr.write(`kiln: ${file}:${p.line}: ${p.reason} (skipped)\n`);
  if (problems.length > 5) io.stderr.write(`kiln: ${file}: ${problems.length - 5} more lines skipped\n`);
}
