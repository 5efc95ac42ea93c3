import assert from 'node:assert/strict';
import { existsSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { pruneAgents, UNUSED_AGENT_S } from './agent-cache.js';

test("a host's agent bundles unused for a week are removed; its own, fresh ones, directories and what links point to stay", async () => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-agent-cache-'));
  try {
    const dir = join(root, 'agent');
    mkdirSync(dir);
    const now = Date.now();
    const old = new Date(now - (UNUSED_AGENT_S + 3600) * 1000);
    const mine = join(dir, 'aaaa.mjs');
    for (const name of ['aaaa.mjs', 'bbbb.mjs', 'cccc.mjs', 'dddd.mjs.in4242']) writeFileSync(join(dir, name), 'x');
    for (const name of ['aaaa.mjs', 'bbbb.mjs', 'dddd.mjs.in4242']) utimesSync(join(dir, name), old, old);
    const target = join(root, 'canary');
    writeFileSync(target, 'keep');
    utimesSync(target, old, old);
    symlinkSync(target, join(dir, 'link.mjs'));
    lutimesSync(join(dir, 'link.mjs'), old, old);
    mkdirSync(join(dir, 'sub'));
    utimesSync(join(dir, 'sub'), old, old);
    const removed = await pruneAgents(mine, now);
    assert.deepEqual(removed.sort(), ['bbbb.mjs', 'dddd.mjs.in4242', 'link.mjs']);
    assert.deepEqual(readdirSync(dir).sort(), ['aaaa.mjs', 'cccc.mjs', 'sub']);
    assert.equal(existsSync(target), true, 'an old link goes, not what it points to');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
