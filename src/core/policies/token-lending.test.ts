import assert from 'node:assert/strict';
import { test } from 'node:test';

import { lendTokens, refillTokens, type PipeLook, type TokenHolder } from './token-lending.js';

const holder = (job: number, share: number, priority: number, parallel = true, busy?: (t: number) => number): TokenHolder =>
  ({ job, share, priority, parallel, ...(busy !== undefined && { busy }) });

void test('lending: every job keeps its share; the free cores go to the highest priority first, each up to the cap', () => {
  const held = lendTokens(16, [holder(1, 4, 10), holder(2, 2, 50), holder(3, 1, 99, false), holder(4, 3, 20)], 8);
  // 16 - 10 in shares = 6 free: job 2 (priority 50) to the cap 8, job 4 none left; job 3 is MAKE_JOBS_SAFE=no.
  assert.deepEqual([...held.entries()].sort((a, b) => a[0] - b[0]), [[1, 4], [2, 8], [3, 1], [4, 3]]);
});

void test('lending: shares that already fill the host lend nothing, and are never cut', () => {
  const held = lendTokens(8, [holder(1, 6, 1), holder(2, 4, 2)]);
  assert.deepEqual([held.get(1), held.get(2)], [6, 4]);
});

void test('lending by busy cores: a job that keeps only part of its tokens busy leaves the rest to lend', () => {
  // Job 1 keeps half its make jobs busy (a serial part); job 2 all of them.
  const held = lendTokens(8, [holder(1, 4, 1, true, (t) => t / 2), holder(2, 2, 9, true, (t) => t)]);
  // busy: 2 + 2 = 4 of 8; job 2 first, up to the cap of 8 make jobs: 4 more busy cores → 6.
  assert.deepEqual([held.get(1), held.get(2)], [4, 6]);
});

const look = (job: number, share: number, held: number, hungry: boolean, priority: number): PipeLook => ({ job, share, held, hungry, priority });

void test('refill: a hungry job gets its share back before anything is lent', () => {
  // 8 cores. Job 1 (share 4) used all it had (1 token, held) and wants more; job 2 (share 2) borrowed 3 and holds them.
  const give = refillTokens(8, [look(1, 4, 1, true, 1), look(2, 2, 3, true, 9)]);
  // 8 - (1 + 1) - (1 + 3) = 2 free: both to job 1 (its share is 4 = 1 + 1 held + 2), none lent to job 2 though its priority is higher.
  assert.deepEqual([give.get(1), give.get(2)], [2, 0]);
});

void test('refill: a job that left tokens idle keeps one spare; the rest is lent to the hungry one with the longest path', () => {
  const give = refillTokens(8, [look(1, 4, 0, false, 1), look(2, 2, 1, true, 9), look(3, 2, 1, true, 5)]);
  // held: 0 + 1 + 1, implicit 3 → 3 free. Job 1: one spare; jobs 2 and 3 are at their share; job 2 borrows the 2 left.
  assert.deepEqual([give.get(1), give.get(2), give.get(3)], [1, 2, 0]);
});

void test('refill: tokens a job keeps are counted against the host until it leaves', () => {
  // Job 1 took 7 tokens and gives none back: job 2, hungry at its share, gets nothing now.
  const give = refillTokens(8, [look(1, 2, 6, true, 1), look(2, 4, 0, true, 9)]);
  assert.equal(give.get(2), 0);
  assert.equal(refillTokens(8, [look(2, 4, 0, true, 9)]).get(2), 7, 'once it left, job 2 gets its share and the rest');
});
