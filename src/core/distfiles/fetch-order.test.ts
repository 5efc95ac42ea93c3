import assert from 'node:assert/strict';
import { test } from 'node:test';

import { candidateUrls, nextFetches, siteOf } from './fetch-order.js';

/** A waiting fetch: ready unless said, 10 kB unless said. */
const w = (name: string, priority: number, site = 'a:80', more: { ready?: boolean; bytes?: number } = {}) => ({ name, priority, site, ready: more.ready ?? true, bytes: more.bytes ?? 10_000 });

interface Case { waiting: Array<ReturnType<typeof w> & { soon?: boolean }>; running: number; active: [string, number][]; jobs: number; perSite: number; ahead?: number; want: string[] }

function check(cases: readonly Case[]): void {
  for (const c of cases) {
    const got = nextFetches(c.waiting, c.running, new Map(c.active), { jobs: c.jobs, perSite: c.perSite }, c.ahead).map((f) => f.name);
    assert.deepEqual(got, c.want, JSON.stringify(c));
  }
}

void test('the most urgent distfiles start first, at most `jobs` at once', () => {
  check([
    { waiting: [w('low', 1, 'a'), w('high', 9, 'b'), w('mid', 5, 'c')], running: 0, active: [], jobs: 2, perSite: 2, want: ['high', 'mid'] },
    { waiting: [w('x', 1, 'a')], running: 4, active: [], jobs: 4, perSite: 2, want: [] },
    // A busy site holds back its own fetches, not the others'.
    { waiting: [w('a1', 9, 'a'), w('a2', 8, 'a'), w('a3', 7, 'a'), w('b1', 1, 'b')], running: 0, active: [], jobs: 4, perSite: 2, want: ['a1', 'a2', 'b1'] },
    { waiting: [w('a1', 9, 'a'), w('b1', 1, 'b')], running: 2, active: [['a', 2]], jobs: 4, perSite: 2, want: ['b1'] },
    // Ties go by name, so the order never depends on how the list was built.
    { waiting: [w('b', 1, 's'), w('a', 1, 't')], running: 0, active: [], jobs: 1, perSite: 2, want: ['a'] },
  ]);
});

void test('files of ready packages come first; within a group, priority per byte (small files of equal worth first)', () => {
  check([
    // Ready beats a higher priority that is not ready.
    { waiting: [w('later', 99, 'a', { ready: false }), w('now', 1, 'a')], running: 0, active: [], jobs: 1, perSite: 2, want: ['now'] },
    // Equal priority: the smaller file first, so the slots fill sooner.
    { waiting: [w('big', 5, 'a', { bytes: 120_000 }), w('small', 5, 'a', { bytes: 20_000 })], running: 0, active: [], jobs: 1, perSite: 2, want: ['small'] },
    // A much more urgent large file still goes before a small one of little worth.
    { waiting: [w('gcc', 1000, 'a', { bytes: 100_000 }), w('font', 1, 'a', { bytes: 10_000 })], running: 0, active: [], jobs: 1, perSite: 2, want: ['gcc'] },
    // Priority unknown (not planned yet, 0): the smallest first.
    { waiting: [w('b', 0, 'a', { bytes: 3000 }), w('a', 0, 'a', { bytes: 9000 })], running: 0, active: [], jobs: 1, perSite: 2, want: ['b'] },
    // Files under 1 kB count as 1 kB: not ahead of a more urgent 1 kB file.
    { waiting: [w('tiny', 1, 'a', { bytes: 10 }), w('kb', 2, 'a', { bytes: 1024 })], running: 0, active: [], jobs: 1, perSite: 2, want: ['kb'] },
  ]);
});

void test('files of packages ready once the running builds end come after the ready ones, before those needed later, whatever their worth', () => {
  const later = (name: string, priority: number) => w(name, priority, 'a', { ready: false });
  const soon = (name: string, priority: number) => ({ ...w(name, priority, 'a', { ready: false, bytes: 50_000 }), soon: true });
  check([
    { waiting: [later('far', 99), soon('next', 1)], running: 0, active: [], jobs: 1, perSite: 2, want: ['next'] },
    { waiting: [soon('next', 99), w('now', 1)], running: 0, active: [], jobs: 1, perSite: 2, want: ['now'] },
    // Among them, priority per byte as before.
    { waiting: [soon('s1', 1), soon('s2', 5), later('far', 99)], running: 0, active: [], jobs: 2, perSite: 2, want: ['s2', 's1'] },
  ]);
});

void test('with three jobs or more, fetching ahead leaves one job for the files of packages that become ready', () => {
  const ahead = (name: string, priority: number) => w(name, priority, 'a', { ready: false });
  check([
    { waiting: [ahead('x', 3), ahead('y', 2), ahead('z', 1)], running: 0, active: [], jobs: 3, perSite: 9, want: ['x', 'y'] },
    { waiting: [ahead('x', 3), ahead('y', 2)], running: 2, active: [], jobs: 3, perSite: 9, ahead: 2, want: [] },
    // The kept job goes to a ready package's file.
    { waiting: [ahead('x', 3), w('r', 1)], running: 2, active: [], jobs: 3, perSite: 9, ahead: 2, want: ['r'] },
    // Ready files may take every job.
    { waiting: [w('r1', 1), w('r2', 1), w('r3', 1)], running: 0, active: [], jobs: 3, perSite: 9, want: ['r1', 'r2', 'r3'] },
    // Two jobs or one: every job fetches ahead when nothing is ready.
    { waiting: [ahead('x', 3), ahead('y', 2)], running: 0, active: [], jobs: 2, perSite: 9, want: ['x', 'y'] },
    { waiting: [ahead('x', 3)], running: 0, active: [], jobs: 1, perSite: 9, want: ['x'] },
  ]);
});

void test('a site is its host and port, the scheme giving the port when none is written', () => {
  const cases: [string, string][] = [
    ['http://127.0.0.1:8080/dist/', '127.0.0.1:8080'],
    ['https://Example.org/x', 'example.org:443'],
    ['http://user@example.org/x', 'example.org:80'],
    ['ftp://ftp.example.org/pub/', 'ftp.example.org:21'],
    ['not a url', 'not a url'],
  ];
  for (const [url, site] of cases) assert.equal(siteOf(url), site, url);
});

void test('override sites come first; a base gets one slash before the name; repeats are dropped', () => {
  assert.deepEqual(candidateUrls('f-1.tar.gz', ['http://a/dist', 'http://b/dist/'], ['http://m/']),
    ['http://m/f-1.tar.gz', 'http://a/dist/f-1.tar.gz', 'http://b/dist/f-1.tar.gz']);
  assert.deepEqual(candidateUrls('f', ['http://a/', 'http://a'], []), ['http://a/f']);
  assert.deepEqual(candidateUrls('f', [], []), []);
});
