import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from './local-executor.js';

const build = (): never => { throw new Error('no job runs in this test'); };

void test('the hosts file\'s STARTUP runs on localhost too; a failing or missing one refuses it, saying why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-local-startup-'));
  const executors: LocalExecutor[] = [];
  const connect = (startup: string): ReturnType<LocalExecutor['connect']> => {
    const executor = new LocalExecutor({ build, startup });
    executors.push(executor);
    return executor.connect();
  };
  try {
    const ok = join(dir, 'ok.sh');
    await writeFile(ok, `echo ran > ${JSON.stringify(join(dir, 'ran'))}\n`);
    assert.ok((await connect(ok)).ok);
    assert.equal(await readFile(join(dir, 'ran'), 'utf8'), 'ran\n');

    const bad = join(dir, 'bad.sh');
    await writeFile(bad, 'echo ccache is not set up >&2\nexit 4\n');
    assert.deepEqual(await connect(bad), { ok: false, reason: 'the STARTUP script failed (4): ccache is not set up' });
    const missing = await connect(join(dir, 'nope.sh'));
    assert.ok(!missing.ok && /^cannot read the STARTUP script .*nope\.sh: ENOENT/.test(missing.reason), JSON.stringify(missing));
  } finally {
    await Promise.all(executors.map((e) => e.close()));
    await rm(dir, { recursive: true, force: true });
  }
});
