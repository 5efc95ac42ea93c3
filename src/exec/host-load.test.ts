// Load as a host measures it: /proc/meminfo read in KiB, swap share, and
// the load average per core from this machine.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { measureLoad, parseMeminfo, parsePressure } from './host-load.js';

test('parseMeminfo reads Key: N kB lines', () => {
  const m = parseMeminfo('MemTotal:       24683452 kB\nMemAvailable:    2048000 kB\nSwapTotal:       1000 kB\nSwapFree:         250 kB\nHugePages_Total:       0\nnonsense\n');
  assert.equal(m.get('MemTotal'), 24683452);
  assert.equal(m.get('MemAvailable'), 2048000);
  assert.equal(m.get('HugePages_Total'), 0);
  assert.equal(m.size, 5);
});

test('measureLoad gives finite, in-range numbers for this machine', () => {
  const load = measureLoad();
  assert.ok(Number.isFinite(load.loadPerCore) && load.loadPerCore >= 0);
  assert.ok(load.swapUsed >= 0 && load.swapUsed <= 1);
  assert.ok(Number.isInteger(load.memoryFreeMiB) && load.memoryFreeMiB > 0);
  for (const [key, file] of [['cpuPressure', 'cpu'], ['ioPressure', 'io'], ['memoryPressure', 'memory']] as const) {
    if (existsSync(`/proc/pressure/${file}`)) assert.ok(load[key]! >= 0 && load[key]! <= 100, `${key} from /proc/pressure/${file}`);
  }
});

void test('PSI: /proc/pressure\'s some avg10, in percent; nothing when the kernel has none', () => {
  assert.equal(parsePressure('some avg10=98.99 avg60=98.85 avg300=97.62 total=6375397972\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), 98.99);
  assert.equal(parsePressure('full avg10=3.00 avg60=0.00 avg300=0.00 total=0\n'), undefined);
  assert.equal(parsePressure(''), undefined);
});
