import assert from 'node:assert/strict';
import { test } from 'node:test';

import { candidateUrls, nextFetches, siteOf } from './fetch-order.js';

const w = (name: string, priority: number, site = 'a:80') => ({ name, priority, site });

void test('the most urgent distfiles start first, at most `jobs` at once', () => {
  const cases: Array<{ waiting: ReturnType<typeof w>[]; running: number; active: [string, number][]; jobs: number; perSite: number; want: string[] }> = [
    { waiting: [w('low', 1, 'a'), w('high', 9, 'b'), w('mid', 5, 'c')], running: 0, active: [], jobs: 2, perSite: 2, want: ['high', 'mid'] },
    { waiting: [w('x', 1, 'a')], running: 4, active: [], jobs: 4, perSite: 2, want: [] },
    // A busy site holds back its own fetches, not the others'.
    { waiting: [w('a1', 9, 'a'), w('a2', 8, 'a'), w('a3', 7, 'a'), w('b1', 1, 'b')], running: 0, active: [], jobs: 4, perSite: 2, want: ['a1', 'a2', 'b1'] },
    { waiting: [w('a1', 9, 'a'), w('b1', 1, 'b')], running: 2, active: [['a', 2]], jobs: 4, perSite: 2, want: ['b1'] },
    // Ties go by name, so the order never depends on how the list was built.
    { waiting: [w('b', 1, 's'), w('a', 1, 't')], running: 0, active: [], jobs: 1, perSite: 2, want: ['a'] },
  ];
  for (const c of cases) {
    const got = nextFetches(c.waiting, c.running, new Map(c.active), { jobs: c.jobs, perSite: c.perSite }).map((f) => f.name);
    assert.deepEqual(got, c.want, JSON.stringify(c));
  }
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
