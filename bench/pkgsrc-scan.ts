// The pkgsrc driver on a real tree: ports per second scanned in the sandbox,
// against bmake run directly and against scans that ask the tree variables
// themselves; the second (cached) scan next to the first; and whether the
// blocks equal a recorded pscan (../shared/data/pkgsrc/pscan.xz, whose
// machine paths read @PKGSRCDIR@ and @LOCALBASE@). Prints measured numbers;
// asserts nothing. Needs a pkgsrc tree and its bootstrap kit:
//
//   npm run bench:pkgsrc -- --tree /usr/pkgsrc --kit bootstrap.tar.gz [--list FILE | --category CAT ...]
//                           [--jobs 2] [--rounds 2] [--pscan ../shared/data/pkgsrc/pscan.xz]
//
// Each figure is the best of --rounds runs, after one run that warms the page cache.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import type { PkgPath } from '../src/core/model.js';
import { parseIndex } from '../src/core/formats/pbulk-index.js';
import type { TreeDriver } from '../src/ports/driver.js';
import { PkgsrcDriver, type PkgsrcScanSetup } from '../src/ports/pkgsrc/pkgsrc-driver.js';
import { DirectoryScanCache } from '../src/ports/scan-cache-dir.js';
import type { ScanInputs } from '../src/ports/scan-cache.js';
import { runScanCommand } from '../src/ports/scan-process.js';
import { type ScanOptions, scanPorts } from '../src/ports/scanner.js';
import { readBootstrapKit, unpackKit } from '../src/sandbox/bootstrap-kit.js';
import { copyPublicEtc } from '../src/sandbox/pkgsrc-etc.js';
import { xzDecompressed } from './xz-text.js';

const { values } = parseArgs({ options: {
  tree: { type: 'string' }, kit: { type: 'string' }, list: { type: 'string' }, category: { type: 'string', multiple: true },
  jobs: { type: 'string' }, pscan: { type: 'string' }, rounds: { type: 'string' },
} });
if (values.tree === undefined || values.kit === undefined) {
  console.error('usage: npm run bench:pkgsrc -- --tree PKGSRCDIR --kit BOOTSTRAP_KIT [--list FILE | --category CAT ...] [--jobs N] [--pscan FILE]');
  process.exit(2);
}
const tree = path.resolve(values.tree);
const jobs = Number(values.jobs ?? availableParallelism());
const rounds = Number(values.rounds ?? 2);
const signal = new AbortController().signal;
const work = await mkdtemp(path.join(tmpdir(), 'kiln-bench-pkgsrc-'));

interface Measured { ports: number; blocks: number; seconds: number; cached: number; errors: number; index: Map<PkgPath, string> }

/** The fastest of `rounds` runs: the machine may be shared. */
async function best<T extends { seconds: number }>(measure: () => Promise<T>): Promise<T> {
  let fastest: T | undefined;
  for (let round = 0; round < rounds; round++) {
    const m = await measure();
    if (fastest === undefined || m.seconds < fastest.seconds) fastest = m;
  }
  return fastest!;
}

async function scan(driver: TreeDriver & ScanInputs, pkgpaths: readonly PkgPath[], options: Partial<ScanOptions> = {}): Promise<Measured> {
  const started = performance.now();
  const index = new Map<PkgPath, string>();
  let last = { scanned: 0, cached: 0, errors: 0 };
  // Closure mode: these ports and every port their dependencies reach, as a limited build scans.
  for await (const port of scanPorts(driver, { jobs, signal, pkgpaths, ...options })) {
    index.set(port.pkgpath, port.index);
    last = port.progress;
  }
  const blocks = [...index.values()].reduce((n, text) => n + parseIndex(text).entries.length, 0);
  return { ports: last.scanned, blocks, seconds: (performance.now() - started) / 1000, cached: last.cached, errors: last.errors, index };
}

/** bmake pbulk-index run directly in each of these ports, no sandbox, same arguments, same concurrency. */
async function direct(driver: PkgsrcDriver, make: string, pkgpaths: readonly PkgPath[], optionCache: string): Promise<number> {
  const started = performance.now();
  const queue = [...pkgpaths];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await runScanCommand({ argv: [make, 'pbulk-index', ...driver.assignments.filter((a) => !a.startsWith('PBULK_CACHE_DIRECTORY=')), `PBULK_CACHE_DIRECTORY=${optionCache}`], cwd: path.join(tree, next), env: { PATH: '/usr/pkg/bin:/usr/bin:/bin', HOME: '/tmp' }, timeoutS: 120 }, signal);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return (performance.now() - started) / 1000;
}

const row = (name: string, m: { ports: number; seconds: number }, extra = ''): void =>
  console.log(`${name.padEnd(44)} ${String(m.ports).padStart(5)} ports ${m.seconds.toFixed(2).padStart(8)} s ${(m.ports / m.seconds).toFixed(1).padStart(7)} ports/s ${(m.ports / m.seconds / jobs).toFixed(1).padStart(6)} /s/core ${extra}`);

try {
  const read = await readBootstrapKit(path.resolve(values.kit));
  if (!read.ok) throw new Error(read.reason);
  const kit = read.kit;
  const unpacked = path.join(work, 'kit');
  await mkdir(unpacked);
  const failed = await unpackKit(kit, unpacked);
  if (failed !== undefined) throw new Error(failed);
  const optionCache = path.join(work, 'pbulk-cache'); // shared by the unsandboxed runs only, as pbulk's
  await mkdir(optionCache);
  const etc = path.join(work, 'etc');
  await copyPublicEtc(etc);
  const setup: PkgsrcScanSetup = {
    make: `${kit.prefix}/bin/bmake`, makeIdentity: kit.sha256, prefix: { dir: path.join(unpacked, kit.prefix), at: kit.prefix }, optionCache: true, etc,
  };
  const driver = await PkgsrcDriver.open(tree, setup, signal);
  const listStarted = performance.now();
  let pkgpaths: PkgPath[];
  if (values.list !== undefined) pkgpaths = (await readFile(values.list, 'utf8')).split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  else {
    const all = await driver.listPorts(signal);
    const categories = values.category ?? [];
    pkgpaths = categories.length === 0 ? all : all.filter((p) => categories.includes(p.split('/')[0]!));
    console.log(`listed ${all.length} ports of the tree in ${((performance.now() - listStarted) / 1000).toFixed(1)} s (bmake show-subdir-var in each category)`);
  }
  console.log(`kiln pkgsrc scan benchmark: ${pkgpaths.length} ports and what they need, ${jobs} at once, ${availableParallelism()} cores; ` +
    `passed to every scan: ${driver.assignments.join(' ')}\n`);

  await scan(driver, pkgpaths); // warm the page cache
  const plain = await best(() => scan(driver, pkgpaths));
  row('sandboxed, tree variables passed', plain, `${plain.blocks} blocks, ${plain.errors} unscannable`);
  const noVars = await PkgsrcDriver.open(tree, { ...setup, treeVariables: false }, signal);
  row('sandboxed, each scan computes them', await best(() => scan(noVars, pkgpaths)));
  const closure = [...plain.index.keys()];
  row('bmake directly (no sandbox, host /usr/pkg)', await best(async () => ({ ports: closure.length, seconds: await direct(driver, '/usr/pkg/bin/bmake', closure, optionCache) })));
  let round = 0;
  const cacheDir = (): string => path.join(work, `cache-${round}`);
  const first = await best(() => {
    round++;
    return scan(driver, pkgpaths, { cache: { store: new DirectoryScanCache(cacheDir()), scanner: driver } });
  });
  row('cache empty (filling it)', first);
  const second = await best(async () => {
    const cached = await PkgsrcDriver.open(tree, setup, signal);
    return scan(cached, pkgpaths, { cache: { store: new DirectoryScanCache(cacheDir()), scanner: cached } });
  });
  row('cache full (tree unchanged), a new process', second, `${second.cached} from the cache`);
  console.log(`\nsecond (cached) scan / first: ${(100 * second.seconds / first.seconds).toFixed(1)} %; cached blocks equal to scanned: ${
    [...first.index].every(([p, text]) => second.index.get(p) === text)}`);

  // The sandbox's own cost per scan, less moved by other load: the fastest of 5 runs of each of 10 ports, one at a time.
  const sample = closure.slice(0, 10);
  let boxed = 0;
  let bare = 0;
  for (const pkgpath of sample) {
    const once = async (run: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      await run();
      return (performance.now() - started) / 1000;
    };
    let bestBoxed = Infinity;
    let bestBare = Infinity;
    for (let i = 0; i < 5; i++) {
      bestBoxed = Math.min(bestBoxed, await once(() => driver.scanPort(pkgpath, signal)));
      bestBare = Math.min(bestBare, await once(() => runScanCommand({
        argv: ['/usr/pkg/bin/bmake', 'pbulk-index', ...driver.assignments.filter((a) => !a.startsWith('PBULK_CACHE_DIRECTORY=')), `PBULK_CACHE_DIRECTORY=${optionCache}`],
        cwd: path.join(tree, pkgpath), env: { PATH: '/usr/pkg/bin:/usr/bin:/bin', HOME: '/tmp' }, timeoutS: 120,
      }, signal)));
    }
    boxed += bestBoxed;
    bare += bestBare;
  }
  console.log(`\nper scan, fastest of 5, one at a time, ${sample.length} ports: sandboxed ${(1000 * boxed / sample.length).toFixed(1)} ms, ` +
    `bmake directly ${(1000 * bare / sample.length).toFixed(1)} ms: the sandbox adds ${(1000 * (boxed - bare) / sample.length).toFixed(1)} ms (${(100 * (boxed / bare - 1)).toFixed(1)} %)`);

  if (values.pscan !== undefined) {
    const recorded = new Map<string, string>();
    for (const entry of parseIndex(await xzDecompressed(values.pscan)).entries) recorded.set(entry.pkgname, entry.raw);
    let same = 0;
    let sameDepends = 0;
    const differ: string[] = [];
    const missing: string[] = [];
    const normal = (raw: string, keepScanDepends: boolean): string => raw.split('\n')
      .filter((line) => keepScanDepends || !line.startsWith('SCAN_DEPENDS='))
      .map((line) => (line.startsWith('SCAN_DEPENDS=') ? line.replaceAll(tree, '@PKGSRCDIR@').replaceAll(kit.prefix, '@LOCALBASE@') : line)).join('\n');
    const seen = new Set<string>();
    for (const text of plain.index.values()) {
      for (const entry of parseIndex(text).entries) {
        // pscan keeps the first block of a PKGNAME (xcb-proto is the same package for every python), as pbulk-scan does.
        if (seen.has(entry.pkgname)) continue;
        seen.add(entry.pkgname);
        const theirs = recorded.get(entry.pkgname);
        if (theirs === undefined) missing.push(entry.pkgname);
        else if (normal(entry.raw, false) === normal(theirs, false)) {
          same++;
          if (normal(entry.raw, true) === normal(theirs, true)) sameDepends++;
        } else differ.push(entry.pkgname);
      }
    }
    console.log(`\nagainst ${values.pscan}: ${same} blocks equal but for SCAN_DEPENDS (${sameDepends} with SCAN_DEPENDS too), ${differ.length} differ` +
      `${differ.length > 0 ? ` (${differ.slice(0, 10).join(' ')})` : ''}, ${missing.length} not in it${missing.length > 0 ? ` (${missing.slice(0, 10).join(' ')})` : ''}`);
    console.log(`index digest: ${createHash('sha256').update([...plain.index.values()].join('')).digest('hex').slice(0, 16)}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
