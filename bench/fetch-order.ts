// Fetch order: how much build-slot time goes to waiting for distfiles when
// fetch jobs take the critical path's distfiles first (kiln), against
// fetching in the order the scan found the ports. A generated tree of N
// ports (each needs up to three earlier ones; a few long builds make a
// critical path), each with its own distfile, served by a loopback server
// at a throttled rate; the same tree built three times into fresh run
// directories: with every distfile already in DISTDIR (no wait), fetched in
// kiln's order, fetched in scan order (KILN_FETCH_ORDER=scan).
//
//   npm run bench:fetch [-- --ports 300] [--jobs 2] [--rate 300000] [--fetch-jobs 2]
//
// Waiting share = (idle slot-seconds of the run − those of the run with no
// fetch) / (slots × the run's wall). Prints measured numbers; not a test.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import type { RunEvent } from '../src/core/run-events.js';
import { seededRandom } from '../src/core/random.js';
import { RunStore } from '../src/store/run-store.js';
import { DistfileServer } from '../test/support/distfile-server.js';
import { type FixturePort, makeDurableTree } from '../test/support/durable-tree.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: {
  ports: { type: 'string', default: '300' }, jobs: { type: 'string', default: '2' }, rate: { type: 'string', default: '300000' },
  'fetch-jobs': { type: 'string', default: '2' },
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
const source = path.join(dir, 'source');
mkdirSync(source);
for (const name of Object.keys(ports)) {
  const file = `${name}.dat`;
  const body = Buffer.alloc(20_000 + Math.floor(random.next() * 100_000), name);
  writeFileSync(path.join(source, file), body);
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

interface Measured { wallS: number; idleSlotS: number; jobs: number }

async function build(name: string, env: Record<string, string>, prefetched: boolean): Promise<Measured> {
  const distdir = path.join(dir, name, 'distfiles');
  mkdirSync(distdir, { recursive: true });
  if (prefetched) for (const file of readdirSync(source)) copyFileSync(path.join(source, file), path.join(distdir, file));
  const code = await kiln(['build', '--tree', tree, '--jobs', String(jobs), '--logdir', path.join(dir, name, 'logs'), '--packages', path.join(dir, name, 'packages'),
    '--distdir', distdir, '--fetch-jobs', values['fetch-jobs'], '--plain'], env);
  if (code !== 0) throw new Error(`kiln build (${name}) exited ${code}`);
  const store = RunStore.openReadOnly(path.join(dir, name, 'logs'));
  const events = store.readEvents(0, undefined, 1e9).map((e) => e.event);
  store.close();
  const ended = events.filter((e): e is Extract<RunEvent, { type: 'job-ended' }> => e.type === 'job-ended');
  const start = events.find((e): e is Extract<RunEvent, { type: 'run-started' }> => e.type === 'run-started')!.at;
  const end = Math.max(...ended.map((e) => e.at));
  const busy = ended.reduce((sum, e) => sum + e.durationS, 0);
  return { wallS: end - start, idleSlotS: jobs * (end - start) - busy, jobs: ended.length };
}

try {
  const none = await build('prefetched', {}, true);
  const kilnOrder = await build('kiln-order', {}, false);
  const scanOrder = await build('scan-order', { KILN_FETCH_ORDER: 'scan' }, false);
  const requests = server.requests.length;
  const share = (m: Measured): string => `${((100 * Math.max(0, m.idleSlotS - none.idleSlotS)) / (jobs * m.wallS)).toFixed(1)} %`;
  console.log(`${count} ports, ${jobs} slots, distfiles of 20-120 kB at ${Number(values.rate) / 1000} kB/s each, ${values['fetch-jobs']} fetches at once; ${requests} requests`);
  console.log(`distfiles already there: wall ${none.wallS.toFixed(1)} s, idle slot time ${none.idleSlotS.toFixed(1)} s (${none.jobs} jobs)`);
  console.log(`kiln's fetch order:      wall ${kilnOrder.wallS.toFixed(1)} s, build-slot time waiting for distfiles ${share(kilnOrder)}`);
  console.log(`scan order:              wall ${scanOrder.wallS.toFixed(1)} s, build-slot time waiting for distfiles ${share(scanOrder)}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
