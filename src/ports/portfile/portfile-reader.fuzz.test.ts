// The Portfile reader fuzzed: 100,000 generated scan outputs (what the scan
// program prints after bash sources a Portfile), seeded. Random bytes and
// damaged outputs give an error message, never a throw; whole outputs with
// any values give a block that reads back as exactly one pbulk-index block,
// or an error naming PKGNAME; every dependency entry is either in the block
// or named, as written, in a fail reason; a port that cannot be scanned
// still gives a block carrying its error. Then a few hundred generated
// Portfiles go through the real driver (bash in bubblewrap), and what they
// assign comes back in the block, or the variable is named.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { parseIndex } from '../../core/formats/pbulk-index.js';
import { type Random, seededRandom } from '../../core/simulation/random.js';
import { unquoteReasons, unscannableBlock } from '../index-block.js';
import { portfileBlock } from './portfile-block.js';
import { PortfileDriver } from './portfile-driver.js';
import { PORTFILE_VARIABLES, type PortfileVariable } from './scan-program.js';
import { parseScanOutput, type Value } from './scan-output.js';

const RUNS = 100_000;
const REAL_PORTFILES = 300;
const PKGPATH = 'fuzz/port';

const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.below(xs.length)]!;
const PIECES = ['a', 'Z', '0', '9', '-', '.', '_', '+', '~', ' ', '\t', '\n', '\r', '=', ':', '"', "'", '\\', '$', '`', '(', ')', '{', '}', '[', ']', '*',
  '>=', '<', '../../', 'cat/name', 'é', '😀', '\u001b', '\u007f', '\u0001', 'PKGNAME=', '\nPKGNAME=evil-1', '%s', '1.0', 'nb2'];
const DEPENDS = ['b>=1:../../cat/b', 'c-[0-9]*:../../devel/c', '{x,y}-1.{2,3}:../../lang/x', 'nocolon', ':../../cat/b', 'b>=1:../cat/b',
  'b>=1:../../cat/b/extra', 'b>=1:/abs/cat/b', 'b 1:../../cat/b', 'b>=1:../../../etc', 'b>=1:../../cat/..', 'b>=1:../../cat/b\n'];

function text(r: Random, max: number): string {
  let s = '';
  for (let n = r.below(max); n > 0; n--) s += r.next() < 0.05 ? String.fromCodePoint(1 + r.below(0x2ffff)).replace(/[\ud800-\udfff]/g, '?') : pick(r, PIECES);
  return s;
}

function value(r: Random, name: PortfileVariable): Value {
  const roll = r.next();
  if (roll < 0.1) return { kind: 'unset' };
  if (roll < 0.13) return { kind: 'assoc' };
  const item = (): string => {
    if (name === 'PKGNAME') return r.next() < 0.7 ? `${pick(r, ['foo', 'p5-X', 'a.b', 'lib_z'])}-${pick(r, ['1.0', '2', '0.1nb3', '1.2alpha'])}` : text(r, 12);
    if (name === 'DEPENDS' || name === 'BUILD_DEPENDS') return r.next() < 0.6 ? pick(r, DEPENDS) : text(r, 10);
    if (name === 'MAKE_JOBS_SAFE') return pick(r, ['yes', 'no', '', 'maybe', 'YES']);
    return text(r, 30);
  };
  if (roll < 0.6) return { kind: 'scalar', value: item() };
  return { kind: 'array', values: Array.from({ length: r.below(5) }, item) };
}

function encode(status: number, values: ReadonlyMap<PortfileVariable, Value>, sourced: readonly string[]): Buffer {
  const fields: string[] = ['kiln-scan-1', 'status', String(status)];
  for (const name of PORTFILE_VARIABLES) {
    const v = values.get(name)!;
    if (v.kind === 'unset' || v.kind === 'assoc') fields.push(name, v.kind, '0');
    else if (v.kind === 'scalar') fields.push(name, 'scalar', '1', v.value);
    else fields.push(name, 'array', String(v.values.length), ...v.values);
  }
  fields.push('__kiln_sourced', 'array', String(sourced.length), ...sourced, 'end');
  return Buffer.from(fields.map((f) => `${f}\0`).join(''));
}

function damaged(r: Random, output: Buffer): Buffer {
  const bytes = Buffer.from(output);
  switch (r.below(4)) {
    case 0: return bytes.subarray(0, r.below(bytes.length));
    case 1: bytes[r.below(bytes.length)] = r.below(256); return bytes;
    case 2: return Buffer.concat([bytes, Buffer.from(text(r, 5))]);
    default: {
      const at = r.below(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + r.below(20)))]);
    }
  }
}

const entriesOf = (v: Value | undefined): string[] => {
  if (v === undefined || v.kind === 'unset' || v.kind === 'assoc') return [];
  return v.kind === 'scalar' ? v.value.split(/[ \t\n]+/).filter((e) => e !== '') : [...v.values];
};

function checkBlock(values: ReadonlyMap<PortfileVariable, Value>, seed: number): void {
  const result = portfileBlock({ pkgpath: PKGPATH, values, scanDepends: ['Portfile'] });
  if (result.kind === 'unscannable') {
    assert.match(result.error, /PKGNAME/, `seed ${seed}: an unscannable port names why`);
    const { entries, errors } = parseIndex(unscannableBlock(PKGPATH, result.error));
    assert.deepEqual(errors, [], `seed ${seed}`);
    assert.equal(entries.length, 1, `seed ${seed}`);
    assert.deepEqual(unquoteReasons(entries[0]!.vars.get('KILN_SCAN_ERROR') ?? ''), [result.error], `seed ${seed}: the error comes back whole`);
    return;
  }
  const { entries, errors } = parseIndex(result.index);
  assert.deepEqual(errors, [], `seed ${seed}: ${JSON.stringify(result.index)}`);
  assert.equal(entries.length, 1, `seed ${seed}: one block, whatever the values hold: ${JSON.stringify(result.index)}`);
  const vars = entries[0]!.vars;
  const pkgname = values.get('PKGNAME');
  assert.equal(entries[0]!.pkgname, pkgname?.kind === 'scalar' ? pkgname.value : undefined, `seed ${seed}`);
  assert.equal(vars.get('PKG_LOCATION'), PKGPATH, `seed ${seed}`);
  const accepted = new Set((vars.get('ALL_DEPENDS') ?? '').split(' '));
  const reasons = unquoteReasons(vars.get('PKG_FAIL_REASON') ?? '').join('\n');
  for (const name of ['DEPENDS', 'BUILD_DEPENDS'] as const) {
    const v = values.get(name);
    if (v?.kind === 'assoc') assert.match(reasons, new RegExp(`${name} must be`), `seed ${seed}`);
    for (const entry of entriesOf(v)) {
      assert.ok(accepted.has(entry) || reasons.includes(JSON.stringify(entry)), `seed ${seed}: ${name} entry ${JSON.stringify(entry)} neither kept nor named`);
    }
  }
}

void test(`Portfile reader fuzz: ${RUNS} generated scan outputs`, () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    const r = seededRandom(seed);
    const values = new Map(PORTFILE_VARIABLES.map((name) => [name, value(r, name)] as const));
    const whole = encode(r.next() < 0.9 ? 0 : 1 + r.below(200), values, r.next() < 0.3 ? ['/tree/fuzz/port/common.sh'] : []);
    const kind = seed % 3;
    const output = kind === 0 ? whole : kind === 1 ? damaged(r, whole) : Buffer.from(text(r, 80));
    let parsed: ReturnType<typeof parseScanOutput>;
    try {
      parsed = parseScanOutput(output);
    } catch (err) {
      assert.fail(`seed ${seed}: parseScanOutput threw ${(err as Error).stack ?? String(err)}`);
    }
    if ('error' in parsed) {
      assert.ok(parsed.error.length > 0, `seed ${seed}`);
      assert.notEqual(kind, 0, `seed ${seed}: a whole output is read: ${parsed.error}`);
      continue;
    }
    if (kind === 0) assert.deepEqual(parsed.values, values, `seed ${seed}: values come back as written`);
    try {
      checkBlock(parsed.values, seed);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      assert.fail(`seed ${seed}: portfileBlock threw ${(err as Error).stack ?? String(err)}`);
    }
  }
});

const bwrapMissing = spawnSync('bwrap', ['--ro-bind', '/', '/', 'true']).status !== 0 ? 'needs bubblewrap' : undefined;

/** A bash word that is exactly `s`. */
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

void test(`real Portfiles: ${REAL_PORTFILES} generated, scanned by bash in bubblewrap`, { skip: bwrapMissing }, async () => {
  const tree = mkdtempSync(join(tmpdir(), 'kiln-portfile-fuzz-'));
  try {
    const driver = new PortfileDriver(tree);
    const signal = new AbortController().signal;
    for (let seed = 1; seed <= REAL_PORTFILES; seed++) {
      const r = seededRandom(1_000_000 + seed);
      const pkgpath = `fuzz/p${seed}`;
      const comment = text(r, 20).replace(/\0/g, '');
      const depends = Array.from({ length: r.below(4) }, () => (r.next() < 0.7 ? pick(r, DEPENDS) : text(r, 8)));
      const lines = [
        `PKGNAME=${quote(`p${seed}-1.${r.below(9)}`)}`,
        `COMMENT=${quote(comment)}`,
        `DEPENDS=(${depends.map(quote).join(' ')})`,
        r.next() < 0.1 ? 'declare -A LICENSE=([a]=b)' : `LICENSE=${quote(text(r, 6))}`,
        r.next() < 0.05 ? 'exit 3' : r.next() < 0.05 ? 'return 1' : ': ok',
      ];
      mkdirSync(join(tree, pkgpath), { recursive: true });
      writeFileSync(join(tree, pkgpath, 'Portfile'), lines.join('\n') + '\n');
      const result = await driver.scanPort(pkgpath, signal);
      assert.equal(result.kind, 'scanned', `seed ${seed}: ${result.kind === 'error' ? result.error : ''}`);
      if (result.kind !== 'scanned') continue;
      const { entries, errors } = parseIndex(result.index);
      assert.deepEqual(errors, [], `seed ${seed}`);
      assert.equal(entries.length, 1, `seed ${seed}`);
      const vars = entries[0]!.vars;
      const problem = vars.get('KILN_SCAN_ERROR');
      if (problem !== undefined) {
        assert.match(unquoteReasons(problem).join(' '), /Portfile|scan/, `seed ${seed}: ${problem}`);
        continue;
      }
      const reasons = unquoteReasons(vars.get('PKG_FAIL_REASON') ?? '').join('\n');
      if (/[\u0000-\u001f\u007f]/.test(comment)) assert.match(reasons, /COMMENT holds a newline or another control character/, `seed ${seed}`);
      else assert.equal(vars.get('COMMENT'), comment, `seed ${seed}: COMMENT comes back as assigned`);
      const accepted = new Set((vars.get('ALL_DEPENDS') ?? '').split(' '));
      for (const entry of depends) assert.ok(accepted.has(entry) || reasons.includes(JSON.stringify(entry)), `seed ${seed}: ${JSON.stringify(entry)}`);
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
