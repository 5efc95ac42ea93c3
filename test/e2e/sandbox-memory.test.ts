// The peak memory of a job, measured by its cgroup where the host allows it
// (root, cgroup v1's memory controller), so the history knows which builds
// need much memory.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { buildPackage } from '../../src/sandbox/builder.js';
import { workspace, type Workspace } from './sandbox-fixture.js';

const unavailable = process.getuid?.() !== 0 || !existsSync('/sys/fs/cgroup/memory/cgroup.procs')
  ? 'needs root and the cgroup v1 memory controller' : false;

let ws: Workspace;
before(async () => { ws = await workspace(); });
after(async () => { await ws.cleanup(); });

void test('a job that holds 200 MiB is measured at 200 MiB or more; a small one well under', { skip: unavailable }, async () => {
  await ws.port('misc/big', 'PKGNAME=big-1.0\nbuild() { dd if=/dev/zero of=/dev/null bs=200M count=1 2>&1; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo big >"$DESTDIR$PREFIX/share/big"; }\n');
  await ws.port('misc/small', 'PKGNAME=small-1.0\nbuild() { true; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo small >"$DESTDIR$PREFIX/share/small"; }\n');
  const big = await buildPackage(ws.job('misc/big', 'big-1.0'), { signal: new AbortController().signal, scratch: ws.scratch });
  const small = await buildPackage(ws.job('misc/small', 'small-1.0'), { signal: new AbortController().signal, scratch: ws.scratch });
  assert.equal(big.outcome.kind, 'built');
  assert.ok((big.memoryMiB ?? 0) >= 200, `big measured ${big.memoryMiB} MiB`);
  assert.ok((small.memoryMiB ?? Infinity) < 100, `small measured ${small.memoryMiB} MiB`);
});
