import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { openDistccRelay } from './distcc-relay.js';

const root = process.getuid?.() === 0;

void test("the relay's sockets are this process's and the build user's group's only: no other user of the host compiles on the farm through them", { skip: !root && 'needs root (to give the group)' }, async () => {
  const opened = await openDistccRelay([{ host: '127.0.0.1', port: 9, limit: 1 }], { uid: 65534, gid: 65534 });
  assert.ok(opened.ok, opened.ok ? '' : opened.reason);
  try {
    const dir = opened.relay.mounts[0]!.source;
    const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
    assert.deepEqual([mode(dir), statSync(dir).gid], ['710', 65534]);
    assert.deepEqual([mode(join(dir, '0.sock')), statSync(join(dir, '0.sock')).gid], ['660', 65534]);
    assert.equal(mode(join(dir, 'connect')), '750');
  } finally {
    await opened.relay.close();
  }
});
