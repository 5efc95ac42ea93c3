// The bootstrap command run by a local /bin/sh, as a login shell on a host
// would: it asks for a bundle it lacks, checks its hash, caches it, loads it;
// it refuses a damaged bundle and an old node.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteCommand } from './bootstrap.js';

const BUNDLE = Buffer.from('export function startAgent(c) { process.stdout.write(JSON.stringify({ t: "ready", root: c.root, file: c.agentFile }) + "\\n"); }\n');
const HASH = createHash('sha256').update(BUNDLE).digest('hex');

/** Runs the command with HOME=home; answers `send-agent` with `bytes`; returns the lines it printed. */
function boot(home: string, bytes: Buffer, env: NodeJS.ProcessEnv = {}, dir = '.kiln'): Promise<{ lines: unknown[]; code: number | null }> {
  const command = remoteCommand({ dir, hash: HASH, size: BUNDLE.length });
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env: { PATH: process.env['PATH'] ?? '', HOME: home, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('"send-agent"') && !out.includes('sent')) {
        out += '(sent)';
        child.stdin.write(bytes);
      }
      if (out.includes('"ready"')) child.stdin.end();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out.replace('(sent)', '').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
      resolve({ lines, code });
    });
  });
}

void test('the command is safe for any login shell', () => {
  const command = remoteCommand({ dir: '$(reboot) `x` \'q\'', hash: HASH, size: 1 });
  assert.match(command, /^exec node -e '[^']*' [A-Za-z0-9+/=]+$/);
  assert.ok(!command.includes('!'));
});

void test('asks for the bundle once, checks and caches it, then loads it from the cache', async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-boot-'));
  try {
    const first = await boot(home, BUNDLE);
    const file = join(home, '.kiln', 'agent', `${HASH}.mjs`);
    assert.deepEqual(first.lines, [{ t: 'send-agent' }, { t: 'ready', root: join(home, '.kiln'), file }]);
    const second = await boot(home, Buffer.alloc(0));
    assert.deepEqual(second.lines, [{ t: 'ready', root: join(home, '.kiln'), file }]);
    assert.deepEqual(await readdir(join(home, '.kiln', 'agent')), [`${HASH}.mjs`]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

void test('a damaged bundle is refused and not cached', async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-boot-'));
  try {
    const damaged = Buffer.from(BUNDLE);
    damaged[0] = 0x20;
    const r = await boot(home, damaged);
    assert.deepEqual(r.lines, [{ t: 'send-agent' }, { t: 'refuse', reason: 'the agent arrived damaged' }]);
    assert.equal(r.code, 3);
    assert.deepEqual(await readdir(join(home, '.kiln', 'agent')), []);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

void test('a node older than 20 is refused before anything is sent', async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-boot-'));
  try {
    const old = join(home, 'old-node.cjs');
    await writeFile(old, 'Object.defineProperty(process.versions, "node", { value: "18.19.1" });\n');
    const r = await boot(home, BUNDLE, { NODE_OPTIONS: `--require ${old}` });
    assert.deepEqual(r.lines, [{ t: 'refuse', reason: 'node 18.19.1 is too old: kiln needs Node.js 20 or later' }]);
    assert.equal(r.code, 3);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

void test('the agent directory is made reachable but not listable by others; one another user could plant an agent in is refused', async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-boot-'));
  try {
    const made = await boot(home, BUNDLE, {}, 'agent-dir');
    assert.deepEqual(made.lines.at(-1), { t: 'ready', root: join(home, 'agent-dir'), file: join(home, 'agent-dir', 'agent', `${HASH}.mjs`) });
    assert.equal((await stat(join(home, 'agent-dir'))).mode & 0o777, 0o711);

    const elsewhere = await mkdtemp(join(tmpdir(), 'kiln-boot-target-'));
    await symlink(elsewhere, join(home, 'linked'));
    await mkdir(join(home, 'open'), { mode: 0o777 });
    await chmod(join(home, 'open'), 0o777);
    await mkdir(join(home, 'wide'));
    await chmod(join(home, 'wide'), 0o777);
    const table: Array<[string, string]> = [
      ['linked', 'it is not a directory (a symlink?)'],
      ['open', 'others may write to it (mode 777)'],
      ['wide/agent', `${join(home, 'wide')} above it may be written by others (mode 777)`],
    ];
    if (process.getuid?.() === 0) {
      await mkdir(join(home, 'theirs'));
      await chown(join(home, 'theirs'), 65534, 65534);
      table.push(['theirs', 'it belongs to uid 65534, not to the login user (uid 0)']);
    }
    for (const [dir, why] of table) {
      const r = await boot(home, BUNDLE, {}, dir);
      assert.deepEqual(r.lines, [{ t: 'refuse', reason: `the agent directory ${join(home, dir)} cannot be used: ${why}` }], dir);
      assert.equal(r.code, 3);
    }
    assert.deepEqual(await readdir(elsewhere), [], 'nothing was written through the link');
    await rm(elsewhere, { recursive: true, force: true });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

void test('a host holding another version\'s agent is sent this one, by its hash, and runs it', async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-boot-'));
  try {
    const agents = join(home, '.kiln', 'agent');
    await mkdir(agents, { recursive: true, mode: 0o700 });
    const older = Buffer.from('export function startAgent() { process.stdout.write(JSON.stringify({ t: "old" }) + "\\n"); }\n');
    const olderHash = createHash('sha256').update(older).digest('hex');
    await writeFile(join(agents, `${olderHash}.mjs`), older, { mode: 0o600 });
    const r = await boot(home, BUNDLE);
    assert.deepEqual(r.lines, [{ t: 'send-agent' }, { t: 'ready', root: join(home, '.kiln'), file: join(agents, `${HASH}.mjs`) }], 'the old agent never ran');
    assert.deepEqual((await readdir(agents)).sort(), [`${HASH}.mjs`, `${olderHash}.mjs`].sort());
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
