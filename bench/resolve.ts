// Benchmark: `kiln resolve` over the whole SmartOS pkgsrc scan (29,022
// packages, 158 MB of pscan, gzip'ed) into presolve, as the CLI does it.
// Each run is a fresh process; it prints wall seconds and peak RSS, and the
// ratios to kiln's targets (3 s, 1 GB on the 2-core machine) and to the
// times of pbulk-resolve (61 s) and bob (about 5 s) on the same scan.
// CPU seconds are printed too: on a shared machine they move less than wall.
//
//   npm run bench:resolve [-- FILE] [--runs N]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { main } from '../src/cli/main.js';

const TARGET_S = 3;
const TARGET_MB = 1024;
const PBULK_S = 61;
const BOB_S = 5;

interface Run { wallS: number; cpuS: number; peakMB: number; bytes: number; status: number }

async function once(file: string): Promise<void> {
  let bytes = 0;
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { bytes += chunk.length; done(); } });
  const stderr = new Writable({ write(_chunk, _encoding, done) { done(); } });
  const started = process.hrtime.bigint();
  const status = await main(['resolve', file], { stdout: sink, stderr });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = process.resourceUsage();
  const run: Run = { wallS, cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakMB: usage.maxRSS / 1024, bytes, status };
  process.stdout.write(JSON.stringify(run) + '\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function compare(): void {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const shared = process.env['KILN_SHARED_DATA'] ?? join(repo, '..', 'shared', 'data');
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? join(shared, 'pkgsrc-smartos', 'pscan.gz');
  if (!existsSync(file)) {
    process.stderr.write(`bench:resolve: no ${file} (give a pscan file, or set KILN_SHARED_DATA)\n`);
    process.exitCode = 1;
    return;
  }
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--once', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`run ${i + 1} failed: ${child.stderr}`);
    const run = JSON.parse(child.stdout) as Run;
    results.push(run);
    process.stdout.write(`run ${i + 1}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS.toFixed(2)} s CPU, ${run.peakMB.toFixed(0)} MB peak RSS, ${(run.bytes / 1e6).toFixed(1)} MB of presolve, exit ${run.status}\n`);
  }
  const wallS = median(results.map((r) => r.wallS));
  const cpuS = median(results.map((r) => r.cpuS));
  const peakMB = Math.max(...results.map((r) => r.peakMB));
  process.stdout.write([
    `kiln resolve ${file}: median of ${runs} runs`,
    `  wall      ${wallS.toFixed(2)} s   = ${(wallS / TARGET_S).toFixed(2)} x the ${TARGET_S} s target; pbulk-resolve ${PBULK_S} s is ${(PBULK_S / wallS).toFixed(1)} x slower, bob ${BOB_S} s ${(BOB_S / wallS).toFixed(1)} x`,
    `  CPU       ${cpuS.toFixed(2)} s   (user + system, whole process: less moved by other load on the machine than wall time)`,
    `  peak RSS  ${peakMB.toFixed(0)} MB = ${(peakMB / TARGET_MB).toFixed(2)} x the 1 GB target`,
    '',
  ].join('\n'));
}

if (process.argv[2] === '--once') await once(process.argv[3]!);
else compare();
