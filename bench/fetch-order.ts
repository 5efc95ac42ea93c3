// Fetch order: how much build-slot time goes to waiting for distfiles when
// fetch jobs take the distfiles of the most urgent ports first (kiln),
// against fetching in the order the scan found the ports
// (KILN_FETCH_ORDER=scan: each port's files once it is planned, in scan
// order). Each port has one distfile, served by a loopback server throttled
// per connection; the same tree is built into fresh run directories each way.
//
// Two cases, each printed with its fetch-capacity ratio (the least time
// fetching everything takes, given the rate, --fetch-jobs and two at once per
// site, over the build wall): below 1 fetching can keep up and the order is
// what decides the waiting; near or above 1 the case is fetch-bound and
// measures bandwidth, whatever the order.
//  1. farm: --ports ports of the real SmartOS bulk build (bench/fetch-farm.ts:
//     real graph, real build times / --scale, so a few builds are long and
//     most short), distfiles of sizes drawn from the build times, on 8 sites.
//  2. the first version of this bench: a third as many of the same ports,
//     builds that do nothing, 20-120 kB distfiles on one site at 300 kB/s,
//     two fetches at once. On an idle machine it is fetch-bound (ratio near
//     1); on a loaded one its builds slow down and it is not.
//
//   npm run bench:fetch [-- --ports 300] [--jobs 2] [--rate 15000] [--fetch-jobs 4] [--scale 400] [--order kiln|scan|both] [--case farm|bound|both] [--trace DIR]
//
// A package waits for its distfile from when the build could have started
// it (it was planned and its dependencies were built) until the server had
// sent the file. Build-slot time waiting = the time integral of
// min(free slots, packages waiting so); its share is of slots × the build
// wall (first job start to last job end). Of it: the part while the
// fetcher ran at full capacity (every connection --fetch-jobs and the sites
// allow was busy: bandwidth, or what it chose to fetch, kept that slot
// waiting; the rest is a fetch connection left idle); and "unavoidable",
// what no order could save (the run's start plus the file's own transfer
// time). The host is `localhost jobs=N max-psi=100`, so kiln keeps its N
// slots on a machine others load (its adaptive concurrency would hold slots
// back, which this measure would count as waiting). --trace DIR writes each
// port's times (could start, fetch began, file sent, build start and end).
// Prints measured numbers; not a test.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULT_FETCH_LIMITS } from '../src/core/distfiles/fetch-order.js';
import type { RunEvent } from '../src/core/run-events.js';
import { seededRandom } from '../src/core/simulation/random.js';
import { RunStore } from '../src/store/run-store.js';
import { DistfileServer } from '../test/support/distfile-server.js';
import { makeDurableTree, setFile } from '../test/support/durable-tree.js';
import { type FarmPort, farmPorts } from './fetch-farm.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: {
  ports: { type: 'string', default: '300' }, jobs: { type: 'string', default: '2' }, rate: { type: 'string', default: '15000' },
  'fetch-jobs': { type: 'string', default: '4' }, scale: { type: 'string', default: '400' }, order: { type: 'string', default: 'both' },
  case: { type: 'string', default: 'both' }, trace: { type: 'string' },
} });
const jobs = Number(values.jobs);
const dir = mkdtempSync(path.join(tmpdir(), 'kiln-bench-fetch-'));
/** One server a site: kiln counts a site by host and port (two fetches at once from each). */
const servers = Array.from({ length: 8 }, () => new DistfileServer());
const sent = (name: string): number | undefined => servers.map((s) => s.sent.get(name)).find((t) => t !== undefined);

interface Case { readonly name: string; readonly ports: readonly FarmPort[]; readonly rate: number; readonly fetchJobs: number; readonly label: string }

/** The least time fetching every distfile takes: all connections busy, each site at its two, the largest file alone. */
function leastFetchS(c: Case): number {
  const bySite = new Map<number, number>();
  for (const p of c.ports) bySite.set(p.site, (bySite.get(p.site) ?? 0) + p.bytes);
  const perSite = Math.min(DEFAULT_FETCH_LIMITS.perSite, c.fetchJobs);
  const all = c.ports.reduce((sum, p) => sum + p.bytes, 0) / (Math.min(c.fetchJobs, perSite * bySite.size) * c.rate);
  return Math.max(all, ...[...bySite.values()].map((b) => b / (perSite * c.rate)), ...c.ports.map((p) => p.bytes / c.rate));
}

async function makeTree(c: Case): Promise<string> {
  const tree = path.join(dir, c.name, 'tree');
  await makeDurableTree(tree, Object.fromEntries(c.ports.map((p) => [p.name, { deps: p.deps }])));
  for (const p of c.ports) {
    setFile(tree, p.name, 'delay', `${p.delayS}\n`);
    const file = `${p.name}.dat`;
    const body = Buffer.alloc(p.bytes, p.name);
    servers[p.site]!.set(c.name, file, { kind: 'slow', body, bytesPerS: c.rate });
    const sum = (a: string): string => createHash(a).update(body).digest('hex');
    appendFileSync(path.join(tree, 'cat', p.name, 'Portfile'), `DISTFILES=(${file})\nMASTER_SITES=(${servers[p.site]!.url(c.name)})\n`);
    writeFileSync(path.join(tree, 'cat', p.name, 'distinfo'), `$NetBSD$\n\nSHA512 (${file}) = ${sum('sha512')}\nSize (${file}) = ${p.bytes} bytes\n`);
  }
  return tree;
}

function kiln(args: string[], env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/kiln.js'), ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
    child.on('close', resolve);
  });
}

interface Measured { wallS: number; waitingS: number; fullS: number; unavoidableS: number; jobs: number }

/** Slot-seconds during which a slot was free and a package waited in one of `windows` (at the times `when` says). */
function slotSecondsWaiting(windows: ReadonlyArray<readonly [number, number]>, jobsRun: ReadonlyArray<readonly [number, number]>, first: number, last: number, when: (t: number) => boolean = () => true): number {
  const points = [...new Set([...windows.flat(), ...jobsRun.flat()])].filter((t) => t >= first && t <= last).sort((a, b) => a - b);
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const t = (points[i]! + points[i + 1]!) / 2;
    const free = jobs - jobsRun.filter(([s, e]) => s <= t && t < e).length;
    const waiting = windows.filter(([s, e]) => s <= t && t < e).length;
    if (when(t)) total += Math.max(0, Math.min(free, waiting)) * (points[i + 1]! - points[i]!);
  }
  return total;
}

async function build(c: Case, tree: string, order: 'kiln' | 'scan'): Promise<Measured> {
  const run = path.join(dir, c.name, order);
  const distdir = path.join(run, 'distfiles');
  mkdirSync(distdir, { recursive: true });
  writeFileSync(path.join(run, 'hosts'), `localhost jobs=${jobs} max-psi=100\n`);
  for (const s of servers) s.sent.clear();
  const began = Date.now() / 1000;
  const code = await kiln(['build', '--tree', tree, '--hosts', path.join(run, 'hosts'), '--logdir', path.join(run, 'logs'), '--packages', path.join(run, 'packages'),
    '--distdir', distdir, '--fetch-jobs', String(c.fetchJobs), '--plain'], order === 'scan' ? { KILN_FETCH_ORDER: 'scan' } : {});
  if (code !== 0) throw new Error(`kiln build (${c.name}, ${order} order) exited ${code}`);
  const store = RunStore.openReadOnly(path.join(run, 'logs'));
  const events = store.readEvents(0, undefined, 1e9).map((e) => e.event);
  store.close();
  const ended = new Map(events.filter((e): e is Extract<RunEvent, { type: 'job-ended' }> => e.type === 'job-ended').map((e) => [e.job.pkgname, e]));
  const fetchBegan = new Map<string, number>();
  for (const e of events) if (e.type === 'fetch-started' && !fetchBegan.has(e.name)) fetchBegan.set(e.name, e.at);
  const planned = new Map<string, { at: number; depends: readonly string[] }>();
  for (const e of events) if (e.type === 'resolved') for (const p of e.entries) if (!planned.has(p.pkgname)) planned.set(p.pkgname, { at: e.at, depends: p.depends });
  const bytes = new Map(c.ports.map((p) => [`${p.name}.dat`, p.bytes]));
  // Each package's window of waiting for its distfile: [could start, distfile sent), cut at its own start; and the part of it before its file could have come at all.
  const windows: Array<[number, number]> = [];
  const unavoidable: Array<[number, number]> = [];
  const trace: string[] = ['port\tcould\tfetch\tsent\tstart\tend'];
  const transfers: Array<[number, number]> = [];
  for (const [pkgname, { at, depends }] of planned) {
    const job = ended.get(pkgname);
    const file = `${pkgname.replace(/-1\.0$/, '')}.dat`;
    const sentAt = sent(file);
    if (job === undefined || sentAt === undefined) continue;
    const could = Math.max(at, ...depends.map((d) => ended.get(d)?.at ?? at));
    const until = Math.min(sentAt, job.job.startedAt);
    transfers.push([fetchBegan.get(file) ?? sentAt, sentAt]);
    if (until > could) windows.push([could, until]);
    const soonest = Math.min(until, began + bytes.get(file)! / c.rate);
    if (soonest > could) unavoidable.push([could, soonest]);
    trace.push([pkgname, could, fetchBegan.get(file) ?? NaN, sentAt, job.job.startedAt, job.at].map((v) => (typeof v === 'number' ? (v - began).toFixed(2) : v)).join('\t'));
  }
  if (values.trace !== undefined) writeFileSync(path.join(values.trace, `${c.name}-${order}.tsv`), `${trace.join('\n')}\n`);
  const jobsRun = [...ended.values()].map((e): [number, number] => [e.job.startedAt, e.at]);
  const first = Math.min(...jobsRun.map(([s]) => s));
  const last = Math.max(...jobsRun.map(([, e]) => e));
  // The fetcher at full capacity: as many transfers as --fetch-jobs and the sites' two each allow.
  const capacity = Math.min(c.fetchJobs, DEFAULT_FETCH_LIMITS.perSite * new Set(c.ports.map((p) => p.site)).size);
  const full = (t: number): boolean => transfers.filter(([s, e]) => s <= t && t < e).length >= capacity;
  return {
    wallS: last - first, waitingS: slotSecondsWaiting(windows, jobsRun, first, last), fullS: slotSecondsWaiting(windows, jobsRun, first, last, full),
    unavoidableS: slotSecondsWaiting(unavoidable, jobsRun, first, last), jobs: ended.size,
  };
}

async function measure(c: Case): Promise<void> {
  const tree = await makeTree(c);
  const least = leastFetchS(c);
  const work = c.ports.reduce((sum, p) => sum + p.delayS, 0);
  console.log(`\n${c.label}: ${c.ports.length} ports (${work.toFixed(0)} s of build time asked for), ${jobs} slots, ${c.fetchJobs} fetches at once, ${(c.ports.reduce((s, p) => s + p.bytes, 0) / 1e6).toFixed(2)} MB at ${c.rate / 1000} kB/s a connection; fetching everything takes ${least.toFixed(1)} s at the least`);
  for (const order of values.order === 'both' ? (['kiln', 'scan'] as const) : [values.order as 'kiln' | 'scan']) {
    const m = await build(c, tree, order);
    const pct = (s: number): string => `${((100 * s) / (jobs * m.wallS)).toFixed(1)} %`;
    console.log(`  ${order === 'kiln' ? "kiln's order" : 'scan order  '}: build wall ${m.wallS.toFixed(1)} s (${m.jobs} jobs), fetch-capacity ratio ${(least / m.wallS).toFixed(2)}; slot time waiting for distfiles ${m.waitingS.toFixed(1)} s = ${pct(m.waitingS)} (while every fetch connection was busy ${pct(m.fullS)}; unavoidable ${pct(m.unavoidableS)}); load average ${loadavg()[0]!.toFixed(1)}`);
  }
}

try {
  for (const s of servers) await s.start();
  const count = Number(values.ports);
  const ports = farmPorts(count, Number(values.scale), servers.length, 20_000, seededRandom(11));
  if (values.case !== 'bound') await measure({ name: 'farm', label: 'farm (real graph and build times)', ports, rate: Number(values.rate), fetchJobs: Number(values['fetch-jobs']) });
  const random = seededRandom(12);
  const bound = ports.slice(0, Math.ceil(count / 3)).map((p) => ({ ...p, delayS: 0, site: 0, bytes: 20_000 + Math.floor(random.next() * 100_000) }));
  if (values.case !== 'farm') await measure({ name: 'bound', label: 'first version (no-op builds, one site; fetch-bound when its ratio nears 1)', ports: bound, rate: 300_000, fetchJobs: 2 });
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}
