import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { classifyLogFile } from './classify-log.js';

void test('classes a failure from the end of its log file; a missing log leaves it to the phase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-classify-'));
  try {
    const log = join(dir, 'build.log');
    writeFileSync(log, 'checking...\n'.repeat(20_000) + 'foo.c:3:10: fatal error: zlib.h: No such file or directory\ncompilation terminated.\n');
    assert.equal(classifyLogFile('build', log, 'exit status 2'), 'missing header');
    assert.equal(classifyLogFile('configure', join(dir, 'missing.log'), 'exit status 1'), 'configure error');
    assert.equal(classifyLogFile('build', join(dir, 'missing.log'), 'timeout'), 'timeout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
