// `/metrics`: the run as Prometheus' text exposition format (version
// 0.0.4), so a farm's Prometheus and Grafana watch kiln as they watch
// everything else. Every name starts with `kiln_`; every number is the
// view's at the moment of the scrape (running jobs' logs as last measured).

import type { ShownHostState } from '../../core/run-events.js';
import type { Status } from '../../core/model.js';
import type { RunViewState } from '../view/run-view-state.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const STATUSES: readonly Status[] = ['open', 'building', 'done', 'failed', 'prefailed', 'indirect-failed', 'indirect-prefailed', 'up-to-date'];
/** Every state a host can be in: a series each, so a quarantined host is not a host in no state. */
const HOST_STATES = Object.keys({ up: 1, down: 1, draining: 1, quarantined: 1, requested: 1, pending: 1 } satisfies Record<ShownHostState, 1>) as ShownHostState[];

type Labels = Readonly<Record<string, string>>;

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string, samples: readonly (readonly [Labels, number])[]): void {
    this.lines.push(`# HELP kiln_${name} ${help}`, `# TYPE kiln_${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`kiln_${name}${labelText(labels)} ${Number.isFinite(value) ? value : 0}`);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function metricsText(state: RunViewState, now: number): string {
  const view = state.view(now, { tables: false });
  const out = new Exposition();
  out.family('run_info', 'gauge', 'The run shown: its number and result (running, complete, stopped, interrupted).', [[{ run: view.run, result: view.result }, 1]]);
  out.family('run_started_seconds', 'gauge', 'When the run started, seconds since the epoch.', [[{}, view.startedAt ?? 0]]);
  out.family('packages', 'gauge', 'Packages of the run by status.', STATUSES.map((s) => [{ status: s }, view.counts.byStatus[s]]));
  out.family('jobs_running', 'gauge', 'Jobs building now.', [[{}, view.running.length]]);
  out.family('jobs_queued', 'gauge', 'Packages ready to build, waiting only for a slot.', [[{}, view.counts.queued]]);
  out.family('jobs_waiting', 'gauge', 'Packages waiting for their dependencies.', [[{}, view.counts.waiting]]);
  out.family('failures', 'gauge', 'Packages that failed to build, by phase and error class.', failures(state));
  out.family('host_state', 'gauge', '1 for the state each host is in.', view.hosts.flatMap((h) => HOST_STATES.map((s) => [{ host: h.name, state: s }, h.state === s ? 1 : 0] as const)));
  out.family('host_slots', 'gauge', 'Slots of each host.', view.hosts.map((h) => [{ host: h.name }, h.slots]));
  out.family('host_free_slots', 'gauge', 'Slots of each host with no job.', view.hosts.map((h) => [{ host: h.name }, h.state === 'up' ? Math.max(0, h.slots - h.busy) : 0]));
  const loaded = view.hosts.filter((h) => h.load !== undefined && h.state !== 'down');
  out.family('host_load_per_core', 'gauge', "Each host's 1-minute load average divided by its cores, as it last measured it.", loaded.map((h) => [{ host: h.name }, h.load!.loadPerCore]));
  out.family('host_memory_available_bytes', 'gauge', 'Memory each host had available, as it last measured it.', loaded.map((h) => [{ host: h.name }, h.load!.memoryFreeMiB * 1024 * 1024]));
  out.family('host_swap_used_ratio', 'gauge', 'Share of its swap each host had in use, as it last measured it.', loaded.map((h) => [{ host: h.name }, h.load!.swapUsed]));
  out.family('fetches_running', 'gauge', 'Distfiles being fetched now.', [[{}, view.fetches.running.length]]);
  out.family('fetched_files', 'gauge', 'Distfiles this run fetched, by result.', [[{ result: 'fetched' }, view.fetches.fetched], [{ result: 'failed' }, view.fetches.failed]]);
  out.family('fetched_bytes', 'gauge', 'Bytes this run fetched, those of the fetches running now with them.', [[{}, view.fetches.bytes + view.fetches.running.reduce((sum, f) => sum + f.bytes, 0)]]);
  out.family('fetch_seconds', 'gauge', 'Seconds this run spent fetching the distfiles that ended, each counted once.', [[{}, view.fetches.seconds]]);
  const scan = view.scan;
  out.family('scan_ports', 'gauge', 'Ports scanned so far, of the ports known so far.', [[{ of: 'scanned' }, scan?.scanned ?? 0], [{ of: 'total' }, scan?.total ?? 0], [{ of: 'cached' }, scan?.cached ?? 0], [{ of: 'errors' }, scan?.errors ?? 0]]);
  out.family('running_log_bytes', 'gauge', 'Bytes in the logs of the jobs building now.', [[{}, view.running.reduce((sum, j) => sum + j.logBytes, 0)]]);
  out.family('log_bytes', 'gauge', 'Bytes in the logs of the jobs of this run that ended.', [[{}, state.packages.reduce((sum, p) => sum + (p.logBytes ?? 0), 0)]]);
  out.family('stuck_jobs', 'gauge', 'Running jobs whose log has not grown for as long as they may be silent.', [[{}, view.running.filter((j) => j.stuck).length]]);
  out.family('eta_seconds', 'gauge', 'Seconds the run is expected to take still (0 when not known).', [[{}, view.eta?.remainingS ?? 0]]);
  return out.text();
}

function failures(state: RunViewState): [Labels, number][] {
  const counts = new Map<string, number>();
  for (const p of state.packages) {
    if (p.status !== 'failed') continue;
    const key = JSON.stringify([p.phase ?? 'unknown', p.error ?? 'unknown']);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort().map(([key, n]) => {
    const [phase, error] = JSON.parse(key) as [string, string];
    return [{ phase, error }, n];
  });
}

/** `{a="x",b="y"}`, values escaped as the format asks (backslash, double quote, newline). */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}
