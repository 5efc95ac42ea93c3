// 100,000 generated hosts files: the parser never throws, every error names
// the file and a line that exists, and for structured inputs (lines known to
// be good or bad) exactly the bad lines are reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostsFileError, parseHostsFile } from './hosts-file.js';

const FILE = 'fuzz/hosts';
const RUNS = 100_000;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

const GOOD_VALUES: Readonly<Record<string, readonly string[]>> = {
  jobs: ['1', '2', '8', '1024'], sf: ['1', '0.5', '3', '.25', '1000'], arch: ['x86_64', 'amd64', 'aarch64'],
  timeout: ['1', '30', '3600'], cores: ['1', '64', '4096'], mem: ['16G', '512M', '1.5GiB', '2T', '2048K'],
};
const BAD_VALUES: Readonly<Record<string, readonly string[]>> = {
  jobs: ['0', '-1', '1025', 'x', '', '1.5', '99999999'], sf: ['0', '-2', 'fast', '', '1e3', '1001', 'NaN'],
  arch: ['', 'x86-64', 'a b'.replace(' ', '\u00a0'), '$(id)'], timeout: ['0', '3601', 'soon', ''],
  cores: ['0', '4097', ''], mem: ['16', 'G', '1K', '-1G', '16Q', ''],
};
const CHAOS = ['#', '=', '@', ' ', '\t', '\r', '\n', '\u0000', '\u001b', '\u007f', 'é', '\ud800', '😀', '-', '.', ':',
  'localhost', 'DEFAULT', 'STARTUP', 'jobs', 'sf', 'mem', '=8', 'x', 'A', '_', '$', '`', '"', "'", '\\', '0', '9'];

function goodLine(rng: Rng, index: number, prefix: string): string {
  const host = pick(rng, [`${prefix}h${index}`, `u${index}@${prefix}${index}.example`, `b_${index}@10.0.${index % 250}.2`]);
  const keys = Object.keys(GOOD_VALUES).filter(() => rng() < 0.4);
  const props = keys.map((k) => `${k}=${pick(rng, GOOD_VALUES[k] ?? [])}`);
  const sep = pick(rng, [' ', '  ', '\t']);
  const comment = rng() < 0.2 ? ` # ${pick(rng, CHAOS.filter((c) => c !== '\n'))}` : '';
  return [host, ...props].join(sep) + comment + (rng() < 0.1 ? '\r' : '');
}

function badLine(rng: Rng, index: number): string {
  switch (Math.floor(rng() * 6)) {
    case 0: {
      const key = pick(rng, Object.keys(BAD_VALUES));
      return `bad${index} ${key}=${pick(rng, BAD_VALUES[key] ?? [])}`;
    }
    case 1: return `bad${index} ${pick(rng, ['speed=1', 'slots=2', 'user=x'])}`;
    case 2: return `bad${index} ${pick(rng, ['fast', '=1', 'jobs'])}`;
    case 3: return `${pick(rng, ['-oProxyCommand', 'a;b', 'x y@z'.replace(' ', '|'), '$(reboot)@h', 'h/1'])}`;
    case 4: return `${pick(rng, ['FOO=1', 'STARTUP=', 'LOGDIR=/x'])}`;
    default: return `bad${index} jobs=2 jobs=3`;
  }
}

function chaosText(rng: Rng): string {
  const n = Math.floor(rng() * 60);
  let s = '';
  for (let i = 0; i < n; i++) s += rng() < 0.1 ? String.fromCharCode(Math.floor(rng() * 0x10000)) : pick(rng, CHAOS);
  return s;
}

function checkErrorsNameLines(text: string, seed: number): number[] {
  const lineCount = text.split('\n').length;
  const r = parseHostsFile(text, FILE);
  if (r.ok) {
    for (const h of r.hostsFile.hosts) {
      assert.ok(h.line >= 1 && h.line <= lineCount && h.name !== '' && !h.name.startsWith('-') && h.speed > 0, `seed ${seed}`);
    }
    return [];
  }
  assert.ok(r.errors.length > 0, `seed ${seed}: not ok without errors`);
  for (const e of r.errors) {
    assert.equal(e.file, FILE, `seed ${seed}`);
    assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount, `seed ${seed}: line ${e.line} of ${lineCount}`);
    assert.ok(e.message.length > 0 && formatHostsFileError(e).startsWith(`${FILE}:${e.line}: `), `seed ${seed}`);
  }
  return [...new Set(r.errors.map((e) => e.line))];
}

void test(`hosts file fuzz: ${RUNS} generated inputs`, () => {
  let structured = 0;
  for (let seed = 1; seed <= RUNS; seed++) {
    const rng = random(seed);
    if (seed % 2 === 0) {
      const text = chaosText(rng);
      try {
        checkErrorsNameLines(text, seed);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assert.fail(`seed ${seed}: parser threw ${(err as Error).stack ?? String(err)} on ${JSON.stringify(text)}`);
      }
      continue;
    }
    structured++;
    const lines: string[] = [];
    const badLines: number[] = [];
    const count = 1 + Math.floor(rng() * 8);
    for (let i = 0; i < count; i++) {
      const r = rng();
      if (r < 0.15) lines.push(pick(rng, ['', '   ', '# comment', '\t#x=y', 'DEFAULT jobs=2', 'DEFAULT sf=2 mem=1G']));
      else if (r < 0.35) { lines.push(badLine(rng, i)); badLines.push(lines.length); }
      else lines.push(goodLine(rng, i, `s${seed}x`));
    }
    const text = lines.join('\n');
    assert.deepEqual(checkErrorsNameLines(text, seed), badLines, `seed ${seed}: ${JSON.stringify(text)}`);
  }
  assert.equal(structured, RUNS / 2);
});
