// Scan speed: ports per second per core on examples/ and on a generated tree
// of synthetic ports, and what a second, cached scan of an unchanged tree
// costs next to the first. Prints measured numbers; asserts nothing.
//
//   npm run bench:scan [-- --ports 2000 --jobs 2 --rounds 3]
//
// The machine may be shared, so each figure is the best of --rounds runs.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { PortfileDriver } from '../src/ports/portfile/portfile-driver.js';
import { DirectoryScanCache } from '../src/ports/scan-cache-dir.js';
import { type ScanOptions, scanPorts } from '../src/ports/scanner.js';

const { values } = parseArgs({ options: { ports: { type: 'string' }, jobs: { type: 'string' }, rounds: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
const portCount = Number(values.ports ?? 2000);
const jobs = Number(values.jobs ?? availableParallelism());
const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
const signal = new AbortController().signal;

interface Measured { ports: number; seconds: number; cached: number; errors: number }

async function scan(tree: string, options: Omit<ScanOptions, 'signal'>): Promise<Measured> {
  const driver = new PortfileDriver(tree);
  const started = performance.now();
  let last = { scanned: 0, cached: 0, errors: 0 };
  for await (const port of scanPorts(driver, { ...options, signal })) last = port.progress;
  return { ports: last.scanned, seconds: (performance.now() - started) / 1000, cached: last.cached, errors: last.errors };
}

/** A seeded generator, so every run scans the same tree. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function generateTree(root: string, count: number): Promise<void> {
  const next = random(42);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const pkgpath = `cat${String(i % 20).padStart(2, '0')}/port${String(i).padStart(5, '0')}`;
    const deps = new Set<string>();
    for (let d = 0; d < 3 && paths.length > 0; d++) deps.add(paths[Math.floor(next() * paths.length)]!);
    const depends = [...deps].map((dep) => `\t'${dep.split('/')[1]!}>=1.0:../../${dep}'`).join('\n');
    await mkdir(path.join(root, pkgpath), { recursive: true });
    await writeFile(path.join(root, pkgpath, 'Portfile'), [
      `PKGNAME=${pkgpath.split('/')[1]!}-1.${i % 7}`,
      `COMMENT="Synthetic port number ${i}"`,
      'MAINTAINER="bench@kiln.example"',
      `HOMEPAGE="https://kiln.example/bench/${i}"`,
      'LICENSE="isc"',
      `DEPENDS=(\n${depends}\n)`,
      i % 10 === 0 ? 'MAKE_JOBS_SAFE=no' : '',
      'build() { make -j"$MAKE_JOBS"; }',
      'install() { make install DESTDIR="$DESTDIR" PREFIX="$PREFIX"; }',
      '',
    ].join('\n'));
    await writeFile(path.join(root, pkgpath, 'main.c'), `int main(void) { return ${i % 100}; }\n`);
    await writeFile(path.join(root, pkgpath, 'Makefile'), 'all: main\ninstall:\n\tinstall -D main $(DESTDIR)$(PREFIX)/bin/main\n');
    paths.push(pkgpath);
  }
}

/** The fastest of `rounds` runs. */
async function best(measure: (round: number) => Promise<Measured>): Promise<Measured> {
  let fastest: Measured | undefined;
  for (let round = 0; round < rounds; round++) {
    const m = await measure(round);
    if (!fastest || m.seconds < fastest.seconds) fastest = m;
  }
  return fastest!;
}

const rate = (m: Measured): string => `${(m.ports / m.seconds).toFixed(1)} ports/s`;
const perCore = (m: Measured, cores: number): string => `${(m.ports / m.seconds / cores).toFixed(1)} ports/s/core`;
const row = (name: string, m: Measured, cores: number): void =>
  console.log(`${name.padEnd(40)} ${String(m.ports).padStart(5)} ports  ${m.seconds.toFixed(3).padStart(8)} s  ${rate(m).padStart(16)}  ${perCore(m, cores).padStart(20)}` +
    (m.cached > 0 ? `  (${m.cached} from cache)` : '') + (m.errors > 0 ? `  ${m.errors} ERRORS` : ''));

const work = await mkdtemp(path.join(tmpdir(), 'kiln-bench-scan-'));
try {
  console.log(`kiln scan benchmark: ${jobs} concurrent scans on ${availableParallelism()} cores, ${portCount} synthetic ports, best of ${rounds}\n`);
  await scan(examples, { jobs }); // warm the page cache and bwrap
  row('examples/, no cache', await best(() => scan(examples, { jobs })), jobs);
  row('examples/, one scan at a time', await best(() => scan(examples, { jobs: 1 })), 1);

  const tree = path.join(work, 'tree');
  await generateTree(tree, portCount);
  const driver = new PortfileDriver(tree);
  const plain = await best(() => scan(tree, { jobs }));
  row('synthetic, no cache', plain, jobs);
  const cacheOf = (round: number) => ({ store: new DirectoryScanCache(path.join(work, `cache-${round}`)), scanner: driver });
  const first = await best((round) => scan(tree, { jobs, cache: cacheOf(round) }));
  row('synthetic, cache empty (filling it)', first, jobs);
  const second = await best((round) => scan(tree, { jobs, cache: cacheOf(round) }));
  row('synthetic, cache full (tree unchanged)', second, jobs);
  const last = `cat${String((portCount - 1) % 20).padStart(2, '0')}/port${String(portCount - 1).padStart(5, '0')}`;
  row('synthetic, closure of the last port', await best(() => scan(tree, { jobs, pkgpaths: [last] })), jobs);

  console.log(`\nsecond (cached) scan / first scan: ${(100 * second.seconds / first.seconds).toFixed(1)} %` +
    ` (/ a scan without cache: ${(100 * second.seconds / plain.seconds).toFixed(1)} %)`);
  console.log(`cache overhead on a first scan: ${(100 * (first.seconds / plain.seconds - 1)).toFixed(1)} %`);
} finally {
  await rm(work, { recursive: true, force: true });
}
