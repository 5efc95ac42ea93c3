import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { RunEvent } from '../core/run-events.js';
import { MemoryEventLog } from './event-log.js';
import { JsonlEventLog, JsonlEventWriter } from './jsonl-event-log.js';

const message = (text: string): RunEvent => ({ type: 'message', at: 1, level: 'info', text });

void test('the JSON-lines log reads what was written, in order, after any seq, and leaves a half-written line for later', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-jsonl-'));
  try {
    const file = join(dir, 'events.jsonl');
    const log = new JsonlEventLog(file);
    assert.deepEqual(log.read(0), [], 'no file yet: no events');
    const writer = new JsonlEventWriter(file);
    writer.emit(message('a'));
    writer.emit(message('b'));
    const line = Buffer.from(JSON.stringify(message('ünïcödé')) + '\n');
    appendFileSync(file, line.subarray(0, 30)); // cut inside a multi-byte character
    assert.deepEqual(log.read(0).map((e) => [e.seq, e.event.type === 'message' && e.event.text]), [[1, 'a'], [2, 'b']]);
    appendFileSync(file, line.subarray(30));
    assert.deepEqual(log.read(2).map((e) => [e.seq, e.event.type === 'message' && e.event.text]), [[3, 'ünïcödé']]);
    assert.deepEqual(log.read(3), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the in-memory log numbers events from 1', () => {
  const log = new MemoryEventLog();
  log.emit(message('a'));
  log.emit(message('b'));
  assert.deepEqual(log.read(1).map((e) => e.seq), [2]);
});
