import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterJob, DEFAULT_QUARANTINE, HEALTHY, letBackIn, type HostHealth, type JobEnd } from './host-quarantine.js';

/** The actions after each job end in turn, from a healthy host; `back` lets the host back in after a quarantine. */
function actions(ends: readonly (JobEnd | 'back')[]): string[] {
  let health: HostHealth = HEALTHY;
  const out: string[] = [];
  for (const end of ends) {
    if (end === 'back') {
      health = letBackIn(health);
      continue;
    }
    const v = afterJob(health, end);
    health = v.health;
    out.push(v.action === 'quarantine' ? `quarantine ${v.forS}` : v.action);
  }
  return out;
}

const I = 'infrastructure' as const;
const W = 'well' as const;

void test('three infrastructure failures in a row quarantine a host; a job ending well between them starts the count again', () => {
  const table: Array<[readonly (JobEnd | 'back')[], string[]]> = [
    [[I, I], ['none', 'none']],
    [[I, I, I], ['none', 'none', 'quarantine 60']],
    [[I, I, W, I, I], ['none', 'none', 'none', 'none', 'none']],
    [[W, W, I, W], ['none', 'none', 'none', 'none']],
  ];
  for (const [ends, expected] of table) assert.deepEqual(actions(ends), expected, ends.join(' '));
});

void test('each quarantine in a row lasts twice the one before, at most 30 min; one job ending well forgives them all', () => {
  const streak = [I, I, I, 'back'] as const;
  const table: Array<[readonly (JobEnd | 'back')[], string[]]> = [
    [[...streak, ...streak], ['none', 'none', 'quarantine 60', 'none', 'none', 'quarantine 120']],
    [[...streak, W, ...streak], ['none', 'none', 'quarantine 60', 'none', 'none', 'none', 'quarantine 60']],
    [[...streak, I, W, I, I, I], ['none', 'none', 'quarantine 60', 'none', 'none', 'none', 'none', 'quarantine 60']],
  ];
  for (const [ends, expected] of table) assert.deepEqual(actions(ends), expected, ends.join(' '));
  const long = { ...DEFAULT_QUARANTINE, giveUpAfter: 100 };
  const lengths: number[] = [];
  let health: HostHealth = HEALTHY;
  for (let q = 0; q < 8; q++) {
    for (let i = 0; i < 3; i++) {
      const v = afterJob(health, I, long);
      health = v.health;
      if (v.action === 'quarantine') lengths.push(v.forS);
    }
    health = letBackIn(health);
  }
  assert.deepEqual(lengths, [60, 120, 240, 480, 960, 1800, 1800, 1800]);
});

void test('the sixth quarantine in a row gives the host up for the run', () => {
  const ends: Array<JobEnd | 'back'> = [];
  for (let q = 0; q < 6; q++) ends.push(I, I, I, 'back');
  const quarantines = actions(ends).filter((a) => a !== 'none');
  assert.deepEqual(quarantines, ['quarantine 60', 'quarantine 120', 'quarantine 240', 'quarantine 480', 'quarantine 960', 'give-up']);
});
