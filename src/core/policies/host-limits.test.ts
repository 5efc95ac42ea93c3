import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { HostLoad } from '../engine/engine-events.js';
import type { Estimate, HostSpec } from '../model.js';
import { memoryAdmission } from './admission-memory.js';
import { adaptiveConcurrency, DEFAULT_LOAD_LIMITS, overload } from './concurrency-adaptive.js';
import type { Candidate, HostLimit, HostView, KilnShare } from './policy.js';

const spec: HostSpec = { name: 'h', slots: 8, speed: 1, cores: 16 };
const calm: HostLoad = { loadPerCore: 0.8, swapUsed: 0, memoryFreeMiB: 8000, cpuPressure: 5, ioPressure: 1, memoryPressure: 0 };
const noPsi: HostLoad = { loadPerCore: 0.8, swapUsed: 0, memoryFreeMiB: 8000 };
const policy = adaptiveConcurrency({ maxPsi: 80, maxLoadBeyond: 1, minMemoryFreeMiB: 1024, quietS: 30 });
const kiln = (running: number, cores = running): KilnShare => ({ running, cores });

void test('adaptive concurrency: back off for pressure kiln did not make itself; come back one step per quiet period', () => {
  const full: HostLimit = { slots: 8, cores: 16, since: -Infinity };
  const table: [string, HostLimit, HostLoad, KilnShare, number, HostLimit][] = [
    ['calm and full: unchanged', full, calm, kiln(8, 16), 100, full],
    ['load 2 per core, all of it kiln\'s make jobs, no waiting: unchanged', full, { ...calm, loadPerCore: 2 }, kiln(8, 16), 100, full],
    ['CPU waiting: a quarter fewer than run', full, { ...calm, cpuPressure: 90 }, kiln(8, 16), 100,
      { slots: 6, cores: 12, since: 100, why: 'CPU pressure 90% above 80%' }],
    ['memory waiting', full, { ...calm, memoryPressure: 85 }, kiln(4), 100, { slots: 3, cores: 12, since: 100, why: 'memory pressure 85% above 80%' }],
    ['swap in use alone is no pressure', full, { ...calm, swapUsed: 0.5 }, kiln(4), 100, full],
    ['low memory, one job: stays at one', { slots: 1, cores: 1, since: 0 }, { ...calm, memoryFreeMiB: 100 }, kiln(1), 100,
      { slots: 1, cores: 1, since: 100, why: '100 MiB memory available, below 1024 MiB' }],
    ['no PSI: load of kiln\'s own jobs is no pressure', full, { ...noPsi, loadPerCore: 1.9 }, kiln(8, 16), 100, full],
    ['no PSI: load beyond kiln\'s own jobs', full, { ...noPsi, loadPerCore: 2.5 }, kiln(8, 16), 100,
      { slots: 6, cores: 12, since: 100, why: 'load 1.50 per core beyond kiln\'s own jobs, above 1' }],
    ['calm, but not quiet long enough', { slots: 6, cores: 12, since: 100, why: 'x' }, calm, kiln(6), 120, { slots: 6, cores: 12, since: 100, why: 'x' }],
    ['quiet long enough: one step back, still held back for the same reason', { slots: 6, cores: 12, since: 100, why: 'x' }, calm, kiln(6), 130,
      { slots: 7, cores: 14, since: 130, why: 'x' }],
    ['back to the host: no reason left', { slots: 7, cores: 15, since: 0, why: 'x' }, calm, kiln(7), 1000, { slots: 8, cores: 16, since: 1000 }],
  ];
  for (const [what, limit, load, share, now, expected] of table) {
    assert.deepEqual(policy.adjust(limit, load, spec, share, now), expected, what);
  }
});

void test('adaptive concurrency leaves a signal to the host\'s own hard threshold (max-psi=, max-load=) where its line sets one', () => {
  const full: HostLimit = { slots: 2, cores: 2, since: -Infinity };
  const small: HostSpec = { name: 's', slots: 2, speed: 1, cores: 2 };
  const own: HostSpec = { ...small, pressure: { maxPsi: 95, maxLoad: 5 } };
  assert.equal(adaptiveConcurrency().adjust(full, { ...calm, ioPressure: 90 }, small, kiln(2), 5).why, 'IO pressure 90% above 80%');
  assert.deepEqual(adaptiveConcurrency().adjust(full, { ...calm, ioPressure: 90 }, own, kiln(2), 5), full);
  assert.deepEqual(adaptiveConcurrency().adjust(full, { ...noPsi, loadPerCore: 4 }, own, kiln(2), 5), full);
  assert.equal(adaptiveConcurrency().adjust(full, { ...calm, memoryFreeMiB: 10 }, own, kiln(2), 5).why, '10 MiB memory available, below 1024 MiB',
    'memory is judged on every host');
  assert.equal(overload(DEFAULT_LOAD_LIMITS, { ...noPsi, loadPerCore: 1.8 }, small, kiln(2)), undefined, 'a 2-core host running 2 jobs of kiln\'s at load 1.8');
  assert.equal(overload(DEFAULT_LOAD_LIMITS, { ...noPsi, loadPerCore: 2.2 }, small, kiln(2)), 'load 1.20 per core beyond kiln\'s own jobs, above 1');
});

const need = (memoryMiB?: number): Estimate =>
  ({ wallS: 1, cpuS: 1, buildWallS: 1, buildCpuS: 1, makeJobs: 1, source: 'history', ...(memoryMiB !== undefined && { memoryMiB }) });
const job = (memoryMiB?: number): Candidate => ({
  id: 0, pkgname: 'p-1', priority: 1, estimate: need(memoryMiB), makeJobsSafe: true, waiting: 0, topPriority: 1,
  durationS: 1, tailS: 1, plannedMakeJobs: 1, backlogS: 0,
});
const view = (memoryMiB: number | undefined, inUse: number, running: number, load?: HostLoad): HostView => ({
  name: 'h', speed: 1, slots: 8, freeSlots: 1, cores: 8, coresInUse: running, freeCores: 8 - running, running,
  slotFreeAt: 0, memoryMiB, memoryInUseMiB: inUse, load,
});

void test('memory admission: fits beside what runs; big jobs not side by side; a lone job always', () => {
  const admit = memoryAdmission(0.25);
  const table: [string, Candidate, HostView, Estimate[], boolean][] = [
    ['unknown need', job(), view(16000, 15000, 3), [need(15000)], true],
    ['fits', job(2000), view(16000, 8000, 2), [need(4000), need(4000)], true],
    ['does not fit', job(9000), view(16000, 8000, 2), [need(4000), need(4000)], false],
    ['two big side by side', job(5000), view(16000, 5000, 1), [need(5000)], false],
    ['big beside small', job(5000), view(16000, 1000, 1), [need(1000)], true],
    ['nothing runs: even too big', job(50000), view(16000, 0, 0), [], true],
    ['measured free memory too low', job(3000), view(16000, 1000, 1, { ...calm, memoryFreeMiB: 2000 }), [need(1000)], false],
    ['no budget, none measured', job(3000), view(undefined, 1000, 1), [need(1000)], true],
  ];
  for (const [what, candidate, host, running, expected] of table) {
    assert.equal(admit.admits(candidate, host, () => running), expected, what);
  }
});
