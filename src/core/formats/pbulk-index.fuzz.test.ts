// 100,000 generated pbulk indexes, seeded (a failure names its seed and can
// be replayed): the reader never throws; every error names a line that
// exists, with that line's text; every block starts at its PKGNAME= line;
// reading in chunks of any size gives what reading at once gives; and in
// indexes made of lines known good or bad, exactly the bad lines are
// reported. Every tenth index is resolved too: no throw, every package
// that cannot be built says why.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dependencies, IndexReader, indexValue, parseIndex, type IndexEntry, type IndexError } from './pbulk-index.js';
import { type Random, seededRandom } from '../simulation/random.js';
import { resolveIndex } from '../resolve/resolve.js';

const RUNS = 100_000;

const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.below(xs.length)]!;
const NAMES = ['gmake', 'perl', 'p5-Foo', 'py39-bar', 'libX11', 'a', 'zz-top', 'glib2', 'mk'];
const VERSIONS = ['1.0', '4.4.1', '5.42.0nb1', '2.0alpha', '0', '1.2.3.4', '20240101'];
const PATTERNS = ['{n}>=1.0', '{n}-[0-9]*', '{n}-1.{0,2}', '{n}<3', '{{n},other}-[0-9]*', '{n}>=1<2', '{n}-4.4.1'];
const CHAOS = ['=', '\n', '\r', '\t', ' ', ':', '../../', 'PKGNAME', 'PKGNAME=', 'ALL_DEPENDS=', '#', '\0', 'é', '\ud800', '😀', '[', '{', '}', '*',
  'DEPENDS=', 'PKG_LOCATION=', 'x', '9', '_', '-', '\\', '"', "'"];
const KEYS = ['PKG_LOCATION', 'ALL_DEPENDS', 'RUN_DEPENDS', 'PKG_SKIP_REASON', 'PKG_FAIL_REASON', 'CATEGORIES', 'MAINTAINER', 'COMMENT', 'MAKE_JOBS_SAFE', 'X_1'];

function pkgname(r: Random, i: number): string {
  return `${pick(r, NAMES)}${i % 3 === 0 ? '' : i}-${pick(r, VERSIONS)}`;
}

function dependency(r: Random): string {
  const name = pick(r, NAMES);
  return `${pick(r, PATTERNS).replaceAll('{n}', name)}:../../${pick(r, ['devel', 'lang', 'x11'])}/${name}`;
}

/** Lines known good (a block), or known bad (an error on that line), with which are bad. */
function structured(r: Random): { text: string; bad: number[]; names: string[] } {
  const lines: string[] = [];
  const bad: number[] = [];
  const names: string[] = [];
  const blocks = r.below(6);
  if (r.next() < 0.2) { lines.push(pick(r, ['CATEGORIES=early', 'X=1'])); bad.push(lines.length); }
  for (let b = 0; b < blocks; b++) {
    if (r.next() < 0.1) {
      lines.push('PKGNAME=');
      bad.push(lines.length);
      for (let k = r.below(3); k > 0; k--) lines.push(`${pick(r, KEYS)}=dropped`); // lines of a dropped block: not errors again
      continue;
    }
    const name = pkgname(r, b);
    names.push(name);
    lines.push(`PKGNAME=${name}`);
    for (let k = r.below(7); k > 0; k--) {
      const roll = r.next();
      if (roll < 0.12) { lines.push(pick(r, ['not a line', '=value', '1X=y', 'has space=1', 'KEY', ' LEADING=1'])); bad.push(lines.length); }
      else if (roll < 0.2) lines.push('');
      else if (roll < 0.5) lines.push(`ALL_DEPENDS=${Array.from({ length: r.below(4) }, () => dependency(r)).join(pick(r, [' ', '  ', '\t']))}`);
      else lines.push(`${pick(r, KEYS)}=${pick(r, ['', 'a=b', '"quoted"', 'ünïcode', 'x y z', `../../cat/${name}`])}`);
    }
  }
  return { text: lines.join('\n') + (r.next() < 0.5 ? '\n' : ''), bad, names };
}

function chaos(r: Random): string {
  let s = '';
  for (let n = r.below(120); n > 0; n--) s += r.next() < 0.08 ? String.fromCharCode(r.below(0x10000)) : pick(r, CHAOS);
  return s;
}

function checkInvariants(text: string, entries: readonly IndexEntry[], errors: readonly IndexError[], seed: number): void {
  const lines = text.split('\n');
  for (const e of errors) {
    assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines.length, `seed ${seed}: error line ${e.line} of ${lines.length}`);
    assert.equal(e.text, lines[e.line - 1], `seed ${seed}: an error names its line's text`);
    assert.ok(e.message.length > 0, `seed ${seed}`);
  }
  let last = 0;
  for (const entry of entries) {
    assert.ok(entry.line > last, `seed ${seed}: blocks in order`);
    last = entry.line;
    assert.equal(lines[entry.line - 1], `PKGNAME=${entry.pkgname}`, `seed ${seed}: a block starts at its PKGNAME= line`);
    assert.ok(entry.pkgname !== '' && entry.raw.startsWith(`PKGNAME=${entry.pkgname}\n`) && entry.raw.endsWith('\n'), `seed ${seed}`);
    for (const key of ['PKG_LOCATION', 'ALL_DEPENDS', 'PKG_FAIL_REASON']) assert.equal(indexValue(entry, key), entry.vars.get(key), `seed ${seed}: ${key}`);
    const { deps, malformed } = dependencies(entry);
    for (const dep of deps) assert.ok(dep.pattern !== '' && dep.dir !== '', `seed ${seed}`);
    for (const token of malformed) assert.ok((entry.vars.get('ALL_DEPENDS') ?? '').includes(token), `seed ${seed}: a malformed token is named as written`);
  }
}

/** The same text read in random chunks. */
function chunked(r: Random, text: string): { entries: IndexEntry[]; errors: IndexError[] } {
  const reader = new IndexReader();
  const entries: IndexEntry[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + r.below(r.next() < 0.5 ? 8 : 200);
    entries.push(...reader.push(text.slice(at, at + size)));
    at += size;
  }
  entries.push(...reader.end());
  return { entries, errors: reader.errors };
}

const summary = (entries: readonly IndexEntry[]): [string, string, number][] => entries.map((e) => [e.pkgname, e.raw, e.line]);

void test(`pbulk-index reader fuzz: ${RUNS} generated indexes`, () => {
  let structuredRuns = 0;
  for (let seed = 1; seed <= RUNS; seed++) {
    const r = seededRandom(seed);
    const input = seed % 2 === 0 ? { text: chaos(r), bad: undefined, names: undefined } : structured(r);
    let parsed: ReturnType<typeof parseIndex>;
    try {
      parsed = parseIndex(input.text);
    } catch (err) {
      assert.fail(`seed ${seed}: the reader threw ${(err as Error).stack ?? String(err)} on ${JSON.stringify(input.text)}`);
    }
    checkInvariants(input.text, parsed.entries, parsed.errors, seed);
    const inChunks = chunked(r, input.text);
    assert.deepEqual(summary(inChunks.entries), summary(parsed.entries), `seed ${seed}: chunked reading differs`);
    assert.deepEqual(inChunks.errors, parsed.errors, `seed ${seed}: chunked reading's errors differ`);
    if (input.bad !== undefined) {
      structuredRuns++;
      assert.deepEqual(parsed.errors.map((e) => e.line), input.bad, `seed ${seed}: ${JSON.stringify(input.text)}`);
      assert.deepEqual(parsed.entries.map((e) => e.pkgname), input.names, `seed ${seed}`);
    }
    if (seed % 10 === 1) {
      const resolution = resolveIndex(parsed.entries, { strict: false });
      for (const p of resolution.packages) {
        if (p.prefailed !== undefined) assert.ok(p.prefailed.length > 0, `seed ${seed}: ${p.pkgname} prefailed without a reason`);
      }
    }
  }
  assert.equal(structuredRuns, RUNS / 2);
});
