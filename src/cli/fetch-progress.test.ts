import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { FetchProgress } from './fetch-progress.js';

test('kiln fetch shows a distfile still coming with its bytes so far and its rate, and stops once it ended', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-fetch-progress-'));
  try {
    const lines: string[] = [];
    let now = 1_000_000;
    const progress = new FetchProgress((line) => lines.push(line), () => now);
    const part = join(dir, 'big.tar.gz.part');
    progress.started({ name: 'big.tar.gz', site: 'http://127.0.0.1:1/a/', size: 4 * 2 ** 20, part, ports: ['big-1.0'] });
    now += 900;
    writeFileSync(part, Buffer.alloc(2 ** 20));
    progress.show();
    assert.deepEqual(lines, [], 'a fetch under a second old gets no progress line');
    now += 100;
    now += 3000;
    progress.show();
    assert.deepEqual(lines, ['fetch big.tar.gz http://127.0.0.1:1/a/ 1 MiB/4 MiB 256 KiB/s 4s\n']);
    progress.ended('big.tar.gz');
    now += 2000;
    progress.show();
    assert.equal(lines.length, 1);
    progress.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fetch whose file has not begun is not shown as 0 bytes', () => {
  const lines: string[] = [];
  let now = 0;
  const progress = new FetchProgress((line) => lines.push(line), () => now);
  progress.started({ name: 'x.tar', site: 'http://127.0.0.1:1/', size: 10, part: '/nonexistent/kiln/x.tar.part', ports: ['x-1'] });
  now += 5000;
  progress.show();
  assert.deepEqual(lines, []);
  progress.close();
});
