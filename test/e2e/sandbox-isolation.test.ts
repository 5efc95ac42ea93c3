// The sandbox holds exactly the job's dependencies, and nothing a build does
// reaches the host: real bubblewrap, real bash, real gcc.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

import { buildPackage } from '../../src/sandbox/builder.js';
import { phaseText } from '../support/job-logs.js';
import { tarRead, workspace } from './sandbox-fixture.js';

const signal = new AbortController().signal;
const rootOnly = { skip: process.getuid?.() !== 0 && 'needs root to make a host PREFIX under /opt' };
const unique = (): string => `kiln-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

const GREET_C = 'int greet(void) { return 42; }\n';
const GREET_H = 'int greet(void);\n';
const HELLO_C = '#include <stdio.h>\n#include <greet.h>\nint main(void) { printf("%d\\n", greet()); return 0; }\n';

void test('a port using a header and library it does not declare fails, even when the host has them at PREFIX; declared, it builds', rootOnly, async (t) => {
  const ws = await workspace();
  const prefix = `/opt/${unique()}`;
  t.after(async () => {
    await ws.cleanup();
    await rm(prefix, { recursive: true, force: true });
  });
  // The host's own PREFIX holds the header and library: the sandbox must not show them.
  await mkdir(join(prefix, 'include'), { recursive: true });
  await mkdir(join(prefix, 'lib'), { recursive: true });
  await writeFile(join(prefix, 'include', 'greet.h'), GREET_H);
  await writeFile(join(ws.root, 'greet.c'), GREET_C);
  execFileSync('gcc', ['-c', join(ws.root, 'greet.c'), '-o', join(ws.root, 'greet.o')]);
  execFileSync('ar', ['rcs', join(prefix, 'lib', 'libgreet.a'), join(ws.root, 'greet.o')]);

  await ws.port('devel/libgreet', [
    'PKGNAME=libgreet-1.0',
    'build() { gcc -c greet.c -o greet.o; ar rcs libgreet.a greet.o; }',
    'install() { mkdir -p "$DESTDIR$PREFIX/lib" "$DESTDIR$PREFIX/include"; cp libgreet.a "$DESTDIR$PREFIX/lib/"; cp greet.h "$DESTDIR$PREFIX/include/"; }',
  ].join('\n'), { 'greet.c': GREET_C, 'greet.h': GREET_H });
  await ws.port('misc/hello', [
    'PKGNAME=hello-1.0',
    'build() { gcc -I"$PREFIX/include" hello.c -L"$PREFIX/lib" -lgreet -o hello; ./hello > answer; }',
    'install() { install -d "$DESTDIR$PREFIX/bin" "$DESTDIR$PREFIX/share/hello"; install -m 755 hello "$DESTDIR$PREFIX/bin/"; cp answer "$DESTDIR$PREFIX/share/hello/"; }',
  ].join('\n'), { 'hello.c': HELLO_C });

  const lib = await buildPackage(ws.job('devel/libgreet', 'libgreet-1.0', { prefix }), { signal, scratch: ws.scratch });
  assert.equal(lib.outcome.kind, 'built');

  const undeclared = await buildPackage(ws.job('misc/hello', 'hello-1.0', { prefix }), { signal, scratch: ws.scratch });
  assert.equal(undeclared.outcome.kind, 'failed');
  assert.equal(undeclared.outcome.kind === 'failed' && undeclared.outcome.phase, 'build');
  assert.equal(undeclared.outcome.kind === 'failed' && undeclared.outcome.error, 'exit status 1');
  assert.match((phaseText(readFileSync(join(ws.logs, 'hello-1.0.log')), 'build') ?? ''), /greet\.h: No such file or directory/);

  const declared = await buildPackage(ws.job('misc/hello', 'hello-1.0', { prefix, dependencies: [ws.dep('libgreet-1.0')] }), { signal, scratch: ws.scratch });
  assert.equal(declared.outcome.kind, 'built', readFileSync(join(ws.logs, 'hello-1.0.log'), 'utf8'));
  assert.equal(tarRead(declared.packageFile ?? '', 'share/hello/answer'), '42\n');
});

void test('the sandbox holds exactly the closure it is given: a build-only dependency is in its user\'s sandbox, not in its dependents\'', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  // PREFIX under /usr, which the host lacks: the sandbox rebuilds /usr around it.
  const prefix = `/usr/${unique()}`;
  const survey = [
    '(cd "$PREFIX" && find . -path ./.pkgdb -prune -o -print | LC_ALL=C sort) > prefix.txt',
    'ls "$PREFIX/.pkgdb" > pkgdb.txt',
    'if command -v kiln-tool >/dev/null; then kiln-tool; else echo no-tool; fi > tool.txt',
  ].join('; ');
  const keep = (name: string): string => `install() { d="$DESTDIR$PREFIX/share/${name}"; mkdir -p "$d"; cp prefix.txt pkgdb.txt tool.txt "$d/"; }`;
  await ws.port('devel/tool', 'PKGNAME=tool-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/bin"; printf "#!/bin/sh\\necho tool-ran\\n" > "$DESTDIR$PREFIX/bin/kiln-tool"; chmod 755 "$DESTDIR$PREFIX/bin/kiln-tool"; }\n');
  await ws.port('devel/liba', 'PKGNAME=liba-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/lib"; echo a > "$DESTDIR$PREFIX/lib/liba.txt"; }\n');
  await ws.port('misc/mid', `PKGNAME=mid-1.0\nbuild() { ${survey}; }\n${keep('mid')}\n`);
  await ws.port('misc/top', `PKGNAME=top-1.0\nbuild() { ${survey}; }\n${keep('top')}\n`);

  for (const [pkgpath, pkgname] of [['devel/tool', 'tool-1.0'], ['devel/liba', 'liba-1.0']] as const) {
    assert.equal((await buildPackage(ws.job(pkgpath, pkgname, { prefix }), { signal, scratch: ws.scratch })).outcome.kind, 'built');
  }
  // What the caller computes: mid needs liba (DEPENDS) and tool (BUILD_DEPENDS);
  // top needs mid, and mid's run-time dependencies, but not mid's build-only tool.
  const mid = await buildPackage(ws.job('misc/mid', 'mid-1.0', { prefix, dependencies: [ws.dep('tool-1.0'), ws.dep('liba-1.0')] }), { signal, scratch: ws.scratch });
  assert.equal(mid.outcome.kind, 'built', readFileSync(join(ws.logs, 'mid-1.0.log'), 'utf8'));
  const top = await buildPackage(ws.job('misc/top', 'top-1.0', { prefix, dependencies: [ws.dep('liba-1.0'), ws.dep('mid-1.0')] }), { signal, scratch: ws.scratch });
  assert.equal(top.outcome.kind, 'built', readFileSync(join(ws.logs, 'top-1.0.log'), 'utf8'));

  const midFile = mid.packageFile ?? '';
  assert.equal(tarRead(midFile, 'share/mid/pkgdb.txt'), 'liba-1.0\ntool-1.0\n');
  assert.equal(tarRead(midFile, 'share/mid/prefix.txt'), ['.', './bin', './bin/kiln-tool', './lib', './lib/liba.txt', ''].join('\n'));
  assert.equal(tarRead(midFile, 'share/mid/tool.txt'), 'tool-ran\n');

  const topFile = top.packageFile ?? '';
  assert.equal(tarRead(topFile, 'share/top/pkgdb.txt'), 'liba-1.0\nmid-1.0\n');
  assert.equal(tarRead(topFile, 'share/top/tool.txt'), 'no-tool\n');
  assert.equal(tarRead(topFile, 'share/top/prefix.txt'), [
    '.', './lib', './lib/liba.txt', './share', './share/mid', './share/mid/pkgdb.txt', './share/mid/prefix.txt', './share/mid/tool.txt', '',
  ].join('\n'));
  assert.equal(existsSync(prefix), false, 'the host never gets the sandbox\'s PREFIX');
});

void test('a build writing to /tmp, $HOME, /etc, /, /usr, the tree and the host\'s PREFIX path leaves the host untouched', rootOnly, async (t) => {
  const ws = await workspace();
  const mark = unique();
  const prefix = `/opt/${mark}`;
  t.after(async () => {
    await ws.cleanup();
    await rm(prefix, { recursive: true, force: true });
  });
  await mkdir(prefix);
  await writeFile(join(prefix, 'keep'), 'host\n');
  const targets = [`/etc/${mark}`, `/${mark}`, `/usr/${mark}`, `/usr/local/${mark}`, `$PREFIX/${mark}`, '$PREFIX/keep',
    `/root/${mark}`, join(ws.tree, 'misc/writer/Portfile'), join(ws.tree, mark), join(ws.root, mark)];
  await ws.port('misc/writer', [
    'PKGNAME=writer-1.0',
    'build() {',
    `  echo sandbox > /tmp/${mark}; echo sandbox > /var/tmp/${mark}; echo sandbox > "$HOME/${mark}"`,
    `  for target in ${targets.map((path) => `"${path}"`).join(' ')}; do`,
    '    if (echo sandbox > "$target") 2>/dev/null; then echo "wrote $target"; else echo "refused $target"; fi',
    '  done',
    '}',
    `install() { (echo sandbox > "$PREFIX/keep") 2>/dev/null && echo "wrote prefix"; mkdir -p "$DESTDIR$PREFIX/share"; echo ok > "$DESTDIR$PREFIX/share/ok"; }`,
  ].join('\n'));
  const portfile = readFileSync(join(ws.tree, 'misc/writer/Portfile'), 'utf8');

  const report = await buildPackage(ws.job('misc/writer', 'writer-1.0', { prefix }), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'built', readFileSync(join(ws.logs, 'writer-1.0.log'), 'utf8'));

  const log = (phaseText(readFileSync(join(ws.logs, 'writer-1.0.log')), 'build') ?? '');
  for (const target of targets) assert.match(log, new RegExp(`^refused ${target.replace('$PREFIX', prefix).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.doesNotMatch(log, /^wrote/m);
  for (const path of [`/tmp/${mark}`, `/var/tmp/${mark}`, `/etc/${mark}`, `/${mark}`, `/usr/${mark}`, `/usr/local/${mark}`, `/root/${mark}`, join(ws.tree, mark), join(ws.root, mark), join(prefix, mark)]) {
    assert.equal(existsSync(path), false, `${path} must not exist on the host`);
  }
  assert.equal(readFileSync(join(prefix, 'keep'), 'utf8'), 'host\n');
  assert.equal(readFileSync(join(ws.tree, 'misc/writer/Portfile'), 'utf8'), portfile);
  assert.deepEqual(readdirSync(ws.scratch), [], 'the job\'s scratch directory is removed');
});

void test('no network: a TCP listener on the host\'s 127.0.0.1 is unreachable from a build', async (t) => {
  const ws = await workspace();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.close();
    await ws.cleanup();
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const probe = `if (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null; then echo NET-REACHED; else echo NET-UNREACHABLE; fi`;

  // The same probe outside the sandbox does reach the listener.
  assert.equal(spawnSync('bash', ['-c', probe], { encoding: 'utf8' }).stdout, 'NET-REACHED\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(connections, 1);

  await ws.port('net/probe', `PKGNAME=probe-1.0\nbuild() { ${probe}; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; }\n`);
  const report = await buildPackage(ws.job('net/probe', 'probe-1.0'), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'built');
  assert.equal((phaseText(readFileSync(join(ws.logs, 'probe-1.0.log')), 'build') ?? ''), 'NET-UNREACHABLE\nlo\n');
  assert.equal(connections, 1);
});

void test('a build runs as an unprivileged user with no capabilities and cannot read root-only host files', { skip: process.getuid?.() !== 0 && 'needs root' }, async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/who', 'PKGNAME=who-1.0\nbuild() { id -u; grep CapEff /proc/self/status; if cat /etc/shadow >/dev/null 2>&1; then echo read-shadow; else echo no-shadow; fi; }\n');
  const report = await buildPackage(ws.job('misc/who', 'who-1.0'), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'built');
  assert.equal((phaseText(readFileSync(join(ws.logs, 'who-1.0.log')), 'build') ?? ''), '65534\nCapEff:\t0000000000000000\nno-shadow\n');
});
