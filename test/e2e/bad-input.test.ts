// Inputs kiln cannot use, given to the real `kiln` as a user mistypes them:
// each is refused with one line naming it and what to do, the exit status
// kiln(1) gives for it, no stack, and nothing a run recorded is touched.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EXIT } from '../../src/cli/exit-status.js';
import { makeTree, portfile } from '../support/fixture-tree.js';
import { startKiln } from '../support/kiln-process.js';
import { buildArgs, kiln, kilnBin, type KilnResult, type RunDirs } from '../support/kiln-runs.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-bad-input-'));
chmodSync(work, 0o755); // a tree the build user can reach, as a ports tree is: its scans run as that user
after(() => rmSync(work, { recursive: true, force: true }));
const tree = join(work, 'tree');
/** A run directory with one finished run in it: what a mistaken command must leave as it was. */
const dirs: RunDirs = { tree, logdir: join(work, 'logs'), packages: join(work, 'packages') };
const INSTALL = 'mkdir -p "$DESTDIR$PREFIX/share"\necho "$PKGNAME" > "$DESTDIR$PREFIX/share/$PKGNAME"';

/** Every file of the run directory with its content's hash (but SQLite's shared-memory index, and an empty write-ahead log, which reading makes). */
function recorded(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.endsWith('-shm')).sort();
  return Object.fromEntries(files.flatMap((f) => {
    try {
      const bytes = readFileSync(join(dir, f));
      return bytes.length === 0 && f.endsWith('-wal') ? [] : [[f, createHash('sha256').update(bytes).digest('hex')]];
    } catch {
      return []; // a directory
    }
  }));
}

/** One line on stderr, starting `kiln: `, matching `pattern`; no stack, no internal error, no raw control character. */
function refused(result: KilnResult, status: number, pattern: RegExp): void {
  assert.equal(result.code, status, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.match(lines[0]!, /^kiln: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at |Error:/);
  assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f]/);
  if (status === EXIT.badInput) assert.equal(lines.length, 1, result.stderr);
}

before(async () => {
  await makeTree(tree, {
    'misc/hello': { Portfile: portfile('hello-1.0', { build: ':', install: INSTALL }) },
    'devel/gmake': { Portfile: portfile('gmake-4.4', { build: ':', install: INSTALL }) },
  });
  const first = await kiln(buildArgs(dirs));
  assert.equal(first.code, 0, first.stderr);
});

describe('kiln build refuses a tree it cannot use, before it opens a run', () => {
  test('a tree that does not exist, a file, and a directory without ports: exit 4, the run directory untouched', async () => {
    const before = recorded(dirs.logdir);
    const file = join(work, 'a-file');
    const empty = join(work, 'empty');
    writeFileSync(file, 'not a tree\n');
    mkdirSync(empty, { recursive: true });
    refused(await kiln(buildArgs({ ...dirs, tree: join(work, 'nonexistent') })), EXIT.badInput, /no tree at .*nonexistent: give --tree the top directory/);
    refused(await kiln(buildArgs({ ...dirs, tree: file })), EXIT.badInput, /the tree .*a-file is a file, not a directory/);
    refused(await kiln(buildArgs({ ...dirs, tree: empty })), EXIT.badInput, /no port in the tree .*empty \(a port is category\/name\/Portfile\)/);
    assert.deepEqual(recorded(dirs.logdir), before);
    // A fresh run directory is not even made.
    refused(await kiln(buildArgs({ ...dirs, tree: empty, logdir: join(work, 'never') })), EXIT.badInput, /no port/);
    assert.equal(existsSync(join(work, 'never')), false);
  });

  test('a mistyped pkgpath: named, with the ports it may have meant; nothing built, the last run kept', async () => {
    const before = recorded(dirs.logdir);
    refused(await kiln([...buildArgs(dirs), 'misc/helo']), EXIT.badInput, /misc\/helo is not a port of the tree .*\(did you mean misc\/hello\?\)/);
    refused(await kiln([...buildArgs(dirs), 'lang/gmake']), EXIT.badInput, /lang\/gmake is not a port .*\(did you mean devel\/gmake\?\)/);
    assert.deepEqual(recorded(dirs.logdir), before);
    refused(await kiln(['scan', '--tree', tree, 'misc/helo']), EXIT.badInput, /misc\/helo is not a port of the tree .*did you mean misc\/hello/);
  });

  test('a tree named with terminal escapes is echoed with them shown, not obeyed', async () => {
    refused(await kiln(buildArgs({ ...dirs, tree: join(work, 'x\u001b]0;owned\u0007\u001b[2J') })), EXIT.badInput, /no tree at .*x\\x1b\]0;owned\\x07\\x1b\[2J/);
  });
});

describe('options kiln cannot use', () => {
  test('--jobs 99999999999: a usage error with build\'s usage line, not an internal RangeError', async () => {
    const result = await kiln([...buildArgs(dirs), '--jobs', '99999999999']);
    refused(result, EXIT.usage, /--jobs wants a whole number from 1 to 4096, not '99999999999'/);
    assert.match(result.stderr, /^usage: kiln build /m);
    assert.doesNotMatch(result.stderr, /^commands:/m, 'the command\'s usage, not the list of commands');
  });

  test('--logdir naming a file: exit 4, the file as it was', async () => {
    const file = join(work, 'logfile');
    writeFileSync(file, 'keep me\n');
    refused(await kiln(buildArgs({ ...dirs, logdir: file })), EXIT.badInput, /--logdir .*logfile is a file, not a directory/);
    assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
  });

  test('a bad hosts file: exit 4, one line per bad line naming it, nothing opened', async () => {
    const hosts = join(work, 'hosts');
    writeFileSync(hosts, 'builder@10.0.0.2 jobs=many\n');
    const logdir = join(work, 'hosts-logs');
    refused(await kiln([...buildArgs({ ...dirs, logdir }), '--hosts', hosts]), EXIT.badInput, /^kiln: bad hosts file: .*hosts:1: jobs must be a whole number from 1 to 1024, not "many"$/);
    assert.equal(existsSync(join(logdir, 'kiln.db')), false);
  });

  test('--web on a port in use: exit 4 naming the address, the run directory untouched', async () => {
    const other = createServer((_req, res) => res.end('the other server\n'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const before = recorded(dirs.logdir);
      refused(await kiln([...buildArgs(dirs), '--web', `127.0.0.1:${port}`]), EXIT.badInput, new RegExp(`--web 127\\.0\\.0\\.1:${port}: cannot listen there: the port is in use`));
      refused(await kiln(['serve', '--logdir', dirs.logdir, '--web', `127.0.0.1:${port}`]), EXIT.badInput, /cannot listen there: the port is in use/);
      assert.deepEqual(recorded(dirs.logdir), before);
    } finally {
      other.close();
    }
  });
});

/** GET `path` from the server at `port` with the Host header `host`: status and body. */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('kiln serve answers a DNS-rebinding Host (127.0.0.1.example.com) with 421, never with kiln.db', async (t) => {
  const serve = startKiln(['serve', '--logdir', dirs.logdir, '--web', '127.0.0.1:0']);
  t.after(() => serve.child.kill('SIGTERM'));
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(await serve.line(/serving .* at http/))![1]);
  for (const host of ['127.0.0.1.example.com', `127.0.0.1.example.com:${port}`, '127.attacker.example', `localhost.attacker.example:${port}`]) {
    const reply = await get(port, '/kiln.db', host);
    assert.equal(reply.status, 421, host);
    assert.doesNotMatch(reply.body, /SQLite format/, host);
  }
  assert.equal((await get(port, '/report.txt', `127.0.0.1:${port}`)).status, 200);
  assert.equal((await get(port, '/report.txt', `localhost:${port}`)).status, 200);
});

describe('output and indexes', () => {
  test('kiln scan | head -c 10: the output ends quietly when its reader goes away', async () => {
    const big = join(work, 'big');
    // Three blocks of 60 kB: more than a pipe holds, so kiln still writes when head has gone.
    await makeTree(big, Object.fromEntries(['a', 'b', 'c'].map((n) => [`misc/${n}`, { Portfile: portfile(`${n}-1.0`, {}, `COMMENT="${'x'.repeat(60_000)}"\n`) }])));
    const errors = join(work, 'scan-stderr');
    const shell = spawnSync('bash', ['-c', `"${process.execPath}" "${kilnBin}" scan --tree "${big}" --jobs 2 2>"${errors}" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.equal(readFileSync(errors, 'utf8'), '');
    assert.equal(shell.stdout.trim(), '0');
  });

  test('a port\'s scan error with terminal escapes is printed with them shown', async () => {
    const hostile = join(work, 'hostile');
    await makeTree(hostile, { 'misc/evil': { Portfile: "printf '\\033]0;owned\\007\\033[2Jgone\\n' >&2\nreturn 3\n" } });
    const result = await kiln(['scan', '--tree', hostile]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^kiln scan: misc\/evil: .*\\x1b\]0;owned\\x07\\x1b\[2Jgone$/m);
    assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  test('kiln resolve on random bytes: exit 4 naming the first bad line, its control characters escaped; nothing on stdout', async () => {
    const file = join(work, 'random');
    writeFileSync(file, Buffer.concat([Buffer.from('\u001b[2J\u001b]0;owned\u0007junk\n'), randomBytes(4096)]));
    const result = await kiln(['resolve', file]);
    refused(result, EXIT.badInput, /random:1: not a pbulk index: not a KEY=VALUE line: \\x1b\[2J\\x1b\]0;owned\\x07junk$/);
    assert.equal(result.stdout, '');
  });

  test('kiln resolve on an empty file says it is empty', async () => {
    const file = join(work, 'empty-index');
    writeFileSync(file, '');
    refused(await kiln(['resolve', file]), EXIT.badInput, /empty-index is empty: no package to resolve/);
  });
});

test('a usage error shows the command\'s usage line, not the list of commands', async () => {
  const result = await kiln(['scan', '--no-such-option']);
  assert.equal(result.code, EXIT.usage);
  assert.match(result.stderr, /^kiln: Unknown option '--no-such-option'/);
  assert.match(result.stderr, /^usage: kiln scan /m);
  assert.match(result.stderr, /^kiln scan --help shows every option\.$/m);
  assert.doesNotMatch(result.stderr, /^commands:/m);
});
