// Fetch order: how much build-slot time goes to waiting for distfiles when
// fetch jobs take the critical path's distfiles first (kiln), against
// fetching in the order the scan found the ports. A generated tree of N
// ports (each needs up to three earlier ones; a few long builds make a
// critical path), each with its own distfile, served by a loopback server
// at a throttled rate; the same tree built into fresh run directories,
// fetching in kiln's order (from the scan on, ready ports' files first,
// priority per byte) and in scan order (KILN_FETCH_ORDER=scan: each port's
// files once it is planned, in the order the scan found the ports).
//
//   npm run bench:fetch [-- --ports 300] [--jobs 2] [--rate 300000] [--fetch-jobs 2] [--order kiln|scan|both]
//
// A package waits for its distfile from when the build could have started
// it (it was planned and its dependencies were built) until the server
// had sent the file. Build-slot time waiting = the time integral of
// min(free slots, packages waiting so); its share is of slots × the build
// wall (first job start to last job end). Prints measured numbers; not a test.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import type { RunEvent } from '../src/core/run-events.js';
import { seededRandom } from '../src/core/simulation/random.js';
import { RunStore } from '../src/store/run-store.js';
import { DistfileServer } from '../test/support/distfile-server.js';
import { type FixturePort, makeDurableTree } from '../test/support/durable-tree.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: {
  ports: { type: 'string', default: '300' }, jobs: { type: 'string', default: '2' }, rate: { type: 'string', default: '300000' },
  'fetch-jobs': { type: 'string', default: '2' }, order: { type: 'string', default: 'both' },
} });
const count = Number(values.ports);
const jobs = Number(values.jobs);
const dir = mkdtempSync(path.join(tmpdir(), 'kiln-bench-fetch-'));
const tree = path.join(dir, 'tree');
const server = new DistfileServer();

const random = seededRandom(11);
const ports: Record<string, FixturePort> = {};
for (let i = 0; i < count; i++) {
  const deps = new Set<string>();
  for (let k = Math.floor(random.next() * 4); k > 0 && i > 0; k--) deps.add(`p${Math.floor(random.next() * i)}`);
  ports[`p${i}`] = { deps: [...deps], delay: random.next() < 0.05 ? 2 : 0 };
}
await makeDurableTree(tree, ports);
await server.start();
const site = server.url('s');
let totalBytes = 0;
for (const name of Object.keys(ports)) {
  const file = `${name}.dat`;
  const body = Buffer.alloc(20_000 + Math.floor(random.next() * 100_000), name);
  totalBytes += body.length;
  server.set('s', file, { kind: 'slow', body, bytesPerS: Number(values.rate) });
  const sum = (a: string): string => createHash(a).update(body).digest('hex');
  appendFileSync(path.join(tree, 'cat', name, 'Portfile'), `DISTFILES=(${file})\nMASTER_SITES=(${site})\n`);
  writeFileSync(path.join(tree, 'cat', name, 'distinfo'), `$NetBSD$\n\nSHA512 (${file}) = ${sum('sha512')}\nSize (${file}) = ${body.length} bytes\n`);
}

function kiln(args: string[], env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/kiln.js'), ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
    child.on('close', resolve);
  });
}

interface Measured { wallS: number; waitingS: number; jobs: number }

async function build(name: string, env: Record<string, string>): Promise<Measured> {
  const distdir = path.join(dir, name, 'distfiles');
  mkdirSync(distdir, { recursive: true });
  server.sent.clear();
  const code = await kiln(['build', '--tree', tree, '--jobs', String(jobs), '--logdir', path.join(dir, name, 'logs'), '--packages', path.join(dir, name, 'packages'),
    '--distdir', distdir, '--fetch-jobs', values['fetch-jobs'], '--plain'], env);
  if (code !== 0) throw new Error(`kiln build (${name}) exited ${code}`);
  const store = RunStore.openReadOnly(path.join(dir, name, 'logs'));
  const events = store.readEvents(0, undefined, 1e9).map((e) => e.event);
  store.close();
  const ended = new Map(events.filter((e): e is Extract<RunEvent, { type: 'job-ended' }> => e.type === 'job-ended').map((e) => [e.job.pkgname, e]));
  const planned = new Map<string, { at: number; depends: readonly string[] }>();
  for (const e of events) if (e.type === 'resolved') for (const p of e.entries) if (!planned.has(p.pkgname)) planned.set(p.pkgname, { at: e.at, depends: p.depends });
  // Each package's window of waiting for its distfile: [could start, distfile sent), cut at its own start.
  const windows: Array<[number, number]> = [];
  for (const [pkgname, { at, depends }] of planned) {
    const job = ended.get(pkgname);
    const sent = server.sent.get(`${pkgname.replace(/-1\.0$/, '')}.dat`);
    if (job === undefined || sent === undefined) continue;
    const could = Math.max(at, ...depends.map((d) => ended.get(d)?.at ?? at));
    const until = Math.min(sent, job.job.startedAt);
    if (until > could) windows.push([could, until]);
  }
  const jobsRun = [...ended.values()].map((e): [number, number] => [e.job.startedAt, e.at]);
  const first = Math.min(...jobsRun.map(([s]) => s));
  const last = Math.max(...jobsRun.map(([, e]) => e));
  // Sweep: at each change, free slots and waiting packages.
  const points = [...new Set([...windows.flat(), ...jobsRun.flat()])].filter((t) => t >= first && t <= last).sort((a, b) => a - b);
  let waitingS = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const t = (points[i]! + points[i + 1]!) / 2;
    const free = jobs - jobsRun.filter(([s, e]) => s <= t && t < e).length;
    const waiting = windows.filter(([s, e]) => s <= t && t < e).length;
    waitingS += Math.max(0, Math.min(free, waiting)) * (points[i + 1]! - points[i]!);
  }
  return { wallS: last - first, waitingS, jobs: ended.size };
}

try {
  const kilnOrder = values.order === 'scan' ? undefined : await build('kiln-order', {});
  const scanOrder = values.order === 'kiln' ? undefined : await build('scan-order', { KILN_FETCH_ORDER: 'scan' });
  const line = (label: string, m: Measured | undefined): void => {
    if (m !== undefined) console.log(`${label} build wall ${m.wallS.toFixed(1)} s (${m.jobs} jobs), build-slot time waiting for distfiles ${m.waitingS.toFixed(1)} s = ${((100 * m.waitingS) / (jobs * m.wallS)).toFixed(1)} %`);
  };
  console.log(`${count} ports, ${jobs} slots, distfiles of 20-120 kB at ${Number(values.rate) / 1000} kB/s each, ${values['fetch-jobs']} fetches at once; ${server.requests.length} requests; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // One site, so at most two fetches at once (the per-site limit) however many --fetch-jobs.
  const fetchS = totalBytes / (Number(values.rate) * Math.min(2, Number(values['fetch-jobs'])));
  console.log(`fetching every distfile takes ${fetchS.toFixed(1)} s at the least: a build wall near that is fetch-bound, and no order keeps its slots from waiting`);
  line("kiln's fetch order:", kilnOrder);
  line('scan order:        ', scanOrder);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
