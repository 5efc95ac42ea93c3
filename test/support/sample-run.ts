// A realistic run, as the runtime would emit it: 38 ports on two hosts, the
// real engine choosing the order on a fake clock. Failures with indirect
// dependents, a prefailed port with its dependents, up-to-date packages, a
// host lost with a job on it (requeued and built elsewhere), a stuck job,
// and ports whose metadata is hostile (markup, quotes, shell).

import type { EngineCommand, Job } from '../../src/core/engine/engine-events.js';
import { Engine, type InitialState, type PlanEntry } from '../../src/core/engine/engine.js';
import type { Estimate, HostSpec, JobOutcome, PhaseTiming } from '../../src/core/model.js';
import { evenMakeJobs } from '../../src/core/policies/make-jobs-even.js';
import { fastestFreePlacement } from '../../src/core/policies/placement-fastest.js';
import { pbulkPriority } from '../../src/core/policies/priority-pbulk.js';
import type { PackageInfo, RunEvent } from '../../src/core/run-events.js';

export const RUN_START = 1_795_000_000;
export const HOSTILE_PKGNAME = 'x<script>alert("pkgname")</script>-1.0';
export const HOSTILE_PKGPATH = `misc/evil'"<img src=x onerror=alert(2)>`;
export const HOSTILE_MAINTAINER = `"$(touch /tmp/kiln-pwned)" <a@b.example>`;
export const HOSTILE_REASON = '<img src=x onerror=alert(4)> $(rm -rf ~) `id`';

interface PortSpec {
  readonly pkgname: string;
  readonly pkgpath: string;
  readonly deps: readonly string[];
  /** Seconds the build really takes. */
  readonly seconds: number;
  readonly fails?: { readonly phase: string; readonly error: string };
  readonly initial?: InitialState;
  readonly maintainer?: string;
  readonly comment?: string;
}

const p = (pkgname: string, pkgpath: string, seconds: number, deps: string[] = [], extra: Partial<PortSpec> = {}): PortSpec =>
  ({ pkgname, pkgpath, seconds, deps, ...extra });

export const PORTS: readonly PortSpec[] = [
  p('gmake-4.4.1', 'devel/gmake', 40, [], { initial: { status: 'up-to-date' } }),
  p('bzip2-1.0.8', 'archivers/bzip2', 10, [], { initial: { status: 'up-to-date' } }),
  p('zlib-1.3.1', 'devel/zlib', 12),
  p('xz-5.6.2', 'archivers/xz', 45),
  p('pkgconf-2.2.0', 'devel/pkgconf', 15),
  p('libffi-3.4.6', 'devel/libffi', 25),
  p('expat-2.6.2', 'textproc/expat', 20),
  p('ncurses-6.5', 'devel/ncurses', 120, ['gmake-4.4.1']),
  p('readline-8.2', 'devel/readline', 30, ['ncurses-6.5']),
  p('libiconv-1.17', 'converters/libiconv', 50),
  p('gettext-tools-0.22.5', 'devel/gettext-tools', 150, ['libiconv-1.17', 'ncurses-6.5']),
  p('openssl-3.3.1', 'security/openssl', 300, ['zlib-1.3.1']),
  p('sqlite3-3.46.0', 'databases/sqlite3', 90, ['readline-8.2', 'zlib-1.3.1']),
  p('libxml2-2.12.7', 'textproc/libxml2', 70, ['zlib-1.3.1', 'xz-5.6.2', 'libiconv-1.17']),
  p('libxslt-1.1.39', 'textproc/libxslt', 40, ['libxml2-2.12.7']),
  p('perl-5.38.2', 'lang/perl5', 420, ['gmake-4.4.1']),
  p('python311-3.11.9', 'lang/python311', 500, ['libffi-3.4.6', 'openssl-3.3.1', 'readline-8.2', 'sqlite3-3.46.0', 'expat-2.6.2', 'xz-5.6.2', 'bzip2-1.0.8']),
  p('curl-8.8.0', 'www/curl', 80, ['openssl-3.3.1', 'zlib-1.3.1', 'nghttp2-1.62.1']),
  p('nghttp2-1.62.1', 'www/nghttp2', 35, ['openssl-3.3.1']),
  p('git-base-2.45.2', 'devel/git-base', 160, ['curl-8.8.0', 'expat-2.6.2', 'perl-5.38.2', 'gettext-tools-0.22.5']),
  p('pcre2-10.44', 'devel/pcre2', 40),
  p('glib2-2.80.3', 'devel/glib2', 260, ['libffi-3.4.6', 'pcre2-10.44', 'gettext-tools-0.22.5', 'python311-3.11.9']),
  p('icu-75.1', 'textproc/icu', 200, [], { fails: { phase: 'build', error: 'compiler error' }, maintainer: 'adam@NetBSD.org' }),
  p('boost-libs-1.85.0', 'devel/boost-libs', 900, ['icu-75.1', 'python311-3.11.9']),
  p('libvisio-0.1.7', 'converters/libvisio', 60, ['boost-libs-1.85.0', 'libxml2-2.12.7', 'icu-75.1']),
  p('harfbuzz-8.5.0', 'fonts/harfbuzz', 110, ['icu-75.1', 'glib2-2.80.3', 'freetype2-2.13.2']),
  p('png-1.6.43', 'graphics/png', 20, ['zlib-1.3.1']),
  p('freetype2-2.13.2', 'graphics/freetype2', 45, ['png-1.6.43', 'bzip2-1.0.8']),
  p('fontconfig-2.15.0', 'fonts/fontconfig', 50, ['freetype2-2.13.2', 'expat-2.6.2']),
  p('pixman-0.43.4', 'x11/pixman', 55, [], { fails: { phase: 'configure', error: 'configure error' } }),
  p('cairo-1.18.0', 'graphics/cairo', 120, ['fontconfig-2.15.0', 'png-1.6.43', 'pixman-0.43.4', 'glib2-2.80.3']),
  p('rust-1.79.0', 'lang/rust', 3000, ['python311-3.11.9'], { initial: { status: 'prefailed', reason: 'PKG_FAIL_REASON: no bootstrap kit for this platform' } }),
  p('firefox-127.0', 'www/firefox', 2400, ['rust-1.79.0', 'cairo-1.18.0']),
  p('librsvg-2.58.1', 'graphics/librsvg', 300, ['rust-1.79.0', 'cairo-1.18.0']),
  p('lockf-1', 'sysutils/lockf', 5, [], { fails: { phase: 'fetch', error: 'fetch' }, maintainer: 'pkgsrc-users@NetBSD.org' }),
  p('mutt-2.2.13', 'mail/mutt', 75, ['ncurses-6.5', 'openssl-3.3.1'], { fails: { phase: 'build', error: 'stuck' } }),
  p(HOSTILE_PKGNAME, HOSTILE_PKGPATH, 30, ['zlib-1.3.1'], {
    fails: { phase: 'build', error: 'missing header' }, maintainer: HOSTILE_MAINTAINER, comment: '</script><script>alert(3)</script>',
  }),
  p('hostile-reason-1.0', 'misc/hostile-reason', 10, [], { initial: { status: 'prefailed', reason: HOSTILE_REASON } }),
];

export const HOSTS: readonly HostSpec[] = [
  { name: 'localhost', slots: 2, speed: 1, cores: 2 },
  { name: 'builder2', slots: 2, speed: 2, cores: 4 },
];

/** When builder2 is lost; the jobs on it go back to the queue. */
export const HOST_LOST_AT = RUN_START + 60 + 400;
const SCAN_S = 20;
const PHASES = ['depends', 'extract', 'patch', 'configure', 'build', 'install', 'package'] as const;
const PHASE_SHARE: Readonly<Record<string, number>> = { depends: 0.05, extract: 0.05, patch: 0.02, configure: 0.2, build: 0.6, install: 0.05, package: 0.03 };

const estimateOf = (s: number): Estimate => ({ wallS: s, cpuS: s, buildWallS: s * 0.6, buildCpuS: s * 0.6, makeJobs: 1, source: 'history' });

export function packageInfo(port: PortSpec): PackageInfo {
  return {
    pkgname: port.pkgname, pkgpath: port.pkgpath, maintainer: port.maintainer ?? 'pkgsrc-users@NetBSD.org',
    comment: port.comment ?? `The ${port.pkgpath.split('/')[1] ?? ''} port`, categories: port.pkgpath.split('/')[0] ?? '',
    depends: port.deps, expectedS: Math.round(port.seconds * 1.1),
  };
}

/** The log path of a package, relative to the run directory, as DESIGN.md names it. */
export const logPathOf = (pkgname: string): string => `packages/${pkgname}.log`;

/**
 * Every event of the run in the order the runtime emits them. A job's
 * speed on a host: its seconds divided by the host's speed factor.
 */
export function sampleRun(): RunEvent[] {
  const plan: PlanEntry[] = PORTS.map((port) => ({
    pkgname: port.pkgname, pkgpath: port.pkgpath, deps: port.deps, initial: port.initial ?? { status: 'open' },
    estimate: estimateOf(port.seconds), makeJobsSafe: true,
  }));
  const engine = new Engine(plan, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
  const byName = new Map(PORTS.map((port) => [port.pkgname, port]));
  const events: RunEvent[] = [];
  const timers: { at: number; seq: number; fire: () => void }[] = [];
  let seq = 0;
  const later = (at: number, fire: () => void): void => { timers.push({ at, seq: seq++, fire }); };
  const lostJobs = new Set<number>();

  const carryOut = (commands: EngineCommand[]): void => {
    for (const c of commands) {
      switch (c.type) {
        case 'start': startJob(c.job); break;
        case 'status': events.push({ type: 'status', change: c }); break;
        case 'requeue': lostJobs.add(c.job.id); break;
        case 'host': {
          const spec = HOSTS.find((h) => h.name === c.host);
          events.push({
            type: 'host', at: c.at, host: c.host, state: c.state, ...(c.reason !== undefined && { reason: c.reason }),
            ...(spec !== undefined && { slots: spec.slots, speed: spec.speed }),
          });
          break;
        }
        case 'finished': events.push({ type: 'run-finished', at: c.at, result: c.result }); break;
        case 'check': break; // the sample plan asks for no checks
        case 'space': break; // its disks are not watched
        default: { const never: never = c; throw new Error(String(never)); }
      }
    }
  };

  const startJob = (job: Job): void => {
    const port = byName.get(job.pkgname)!;
    const speed = HOSTS.find((h) => h.name === job.host)?.speed ?? 1;
    const total = Math.round(port.seconds / speed);
    const lastLogBytes = port.seconds * 1000;
    events.push({ type: 'job-started', at: job.startedAt, job, expectedS: Math.round(port.seconds * 1.1 / speed), lastLogBytes });
    const phases: PhaseTiming[] = [];
    let t = job.startedAt;
    const failAt = port.fails ? PHASES.indexOf(port.fails.phase as typeof PHASES[number]) : -1;
    const upTo = failAt >= 0 ? failAt : PHASES.length - 1;
    for (let i = 0; i <= upTo; i++) {
      const phase = PHASES[i]!;
      const wallS = Math.max(1, Math.round(total * (PHASE_SHARE[phase] ?? 0.1)));
      const at = t;
      later(at, () => { if (!lostJobs.has(job.id)) events.push({ type: 'job-phase', at, job: job.id, phase }); });
      phases.push({ phase, wallS, cpuS: wallS });
      t += wallS;
    }
    // The log grows at a steady rate, except a stuck job's, which stops.
    const stuck = port.fails?.error === 'stuck';
    const end = stuck ? job.startedAt + total + 1800 : t;
    for (let at = job.startedAt + 10; at < end; at += 10) {
      const grown = Math.min(at, job.startedAt + total) - job.startedAt;
      const idleS = at > job.startedAt + total ? at - (job.startedAt + total) : 0;
      later(at, () => { if (!lostJobs.has(job.id)) events.push({ type: 'job-progress', at, job: job.id, logBytes: grown * 1000, idleS }); });
    }
    later(end, () => {
      if (lostJobs.has(job.id)) return;
      const outcome: JobOutcome = port.fails
        ? { kind: 'failed', phase: port.fails.phase, error: port.fails.error, phases }
        : { kind: 'built', phases };
      const durationS = end - job.startedAt;
      events.push({ type: 'job-ended', at: end, job, outcome, durationS, log: logPathOf(job.pkgname), logBytes: (Math.min(end, job.startedAt + total) - job.startedAt) * 1000 });
      carryOut(engine.handle({ type: 'job-ended', at: end, job: job.id, outcome }));
    });
  };

  events.push({ type: 'run-started', at: RUN_START, run: '20261118.1053', tree: '/usr/pkgsrc', logdir: '/var/kiln/logs', packages: '/var/kiln/packages', resumed: false });
  for (let i = 1; i <= 4; i++) {
    events.push({ type: 'scan-progress', at: RUN_START + i * (SCAN_S / 4), scanned: Math.round(PORTS.length * i / 4), total: PORTS.length, cached: i * 3, errors: 0 });
  }
  const resolvedAt = RUN_START + SCAN_S + 2;
  events.push({
    type: 'resolved', at: resolvedAt, packages: PORTS.length,
    prefailed: PORTS.filter((x) => x.initial?.status === 'prefailed').length,
    upToDate: PORTS.filter((x) => x.initial?.status === 'up-to-date').length,
    entries: PORTS.map(packageInfo),
  });
  carryOut(engine.begin(resolvedAt));
  for (const host of HOSTS) carryOut(engine.handle({ type: 'host-up', at: resolvedAt + 1, host }));
  later(HOST_LOST_AT, () => {
    events.push({ type: 'message', at: HOST_LOST_AT, level: 'warning', text: 'builder2: ssh connection lost (Connection reset by peer)' });
    carryOut(engine.handle({ type: 'host-down', at: HOST_LOST_AT, host: 'builder2', reason: 'Connection reset by peer' }));
  });

  while (timers.length > 0 && !engine.finished) {
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    timers.shift()!.fire();
  }
  return events;
}

/** The events up to and including time `at`: the run as seen while it goes on. */
export function sampleRunUntil(at: number): RunEvent[] {
  return sampleRun().filter((e) => eventTime(e) <= at);
}

export function eventTime(e: RunEvent): number {
  return e.type === 'status' ? e.change.at : e.at;
}
