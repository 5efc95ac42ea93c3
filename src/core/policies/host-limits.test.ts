import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { HostLoad } from '../engine/engine-events.js';
import type { Estimate, HostSpec } from '../model.js';
import { memoryAdmission } from './admission-memory.js';
import { adaptiveConcurrency } from './concurrency-adaptive.js';
import type { Candidate, HostLimit, HostView } from './policy.js';

const spec: HostSpec = { name: 'h', slots: 8, speed: 1, cores: 16 };
const calm: HostLoad = { loadPerCore: 0.8, swapUsed: 0, memoryFreeMiB: 8000 };
const policy = adaptiveConcurrency({ maxLoadPerCore: 1.5, maxSwapUsed: 0.1, minMemoryFreeMiB: 1024, quietS: 60 });

void test('adaptive concurrency: back off under load, swap or low memory; come back one step per quiet period', () => {
  const full: HostLimit = { slots: 8, cores: 16, since: -Infinity };
  const table: [string, HostLimit, HostLoad, number, number, HostLimit][] = [
    ['calm and full: unchanged', full, calm, 8, 100, full],
    ['load: a quarter fewer than run', full, { ...calm, loadPerCore: 2 }, 8, 100, { slots: 6, cores: 12, since: 100 }],
    ['swap', full, { ...calm, swapUsed: 0.3 }, 4, 100, { slots: 3, cores: 12, since: 100 }],
    ['low memory, one job: stays at one', { slots: 1, cores: 1, since: 0 }, { ...calm, memoryFreeMiB: 100 }, 1, 100, { slots: 1, cores: 1, since: 100 }],
    ['calm, but not quiet long enough', { slots: 6, cores: 12, since: 100 }, calm, 6, 130, { slots: 6, cores: 12, since: 100 }],
    ['quiet long enough: one step back', { slots: 6, cores: 12, since: 100 }, calm, 6, 160, { slots: 7, cores: 14, since: 160 }],
    ['never above the host', { slots: 8, cores: 15, since: 0 }, calm, 8, 1000, { slots: 8, cores: 16, since: 1000 }],
  ];
  for (const [what, limit, load, running, now, expected] of table) {
    assert.deepEqual(policy.adjust(limit, load, spec, running, now), expected, what);
  }
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
