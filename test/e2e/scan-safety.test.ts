// `kiln scan` runs code from the tree: what a Portfile holds comes out as
// data and runs nothing, and the Portfile itself is kept in its sandbox.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { parseIndex } from '../../src/core/formats/pbulk-index.js';
import { unquoteReasons } from '../../src/ports/index-block.js';
import { kiln, makeTree, portfile, writeFiles } from './scan-fixtures.js';

void test('metadata holding shell syntax comes out literally and runs nothing', async (t) => {
  const root = await makeTree({});
  t.after(() => rm(root, { recursive: true, force: true }));
  const marker = path.join(root, 'marker');
  const payload = `$(touch ${marker}) \`touch ${marker}\` "quoted" 'single' ; touch ${marker} <script>alert(1)</script> | & > ${marker}`;
  const single = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const files = {
    'cat/evil/Portfile': portfile('evil-1.0', [
      `COMMENT=${single(payload)}`,
      `HOMEPAGE=${single(payload)}`,
      `PKG_SKIP_REASON=${single(payload + '\nsecond line')}`,
      `MAINTAINER=${single('a\nPKGNAME=forged-6.6')}`,
      `DEPENDS=(${single('x-1:../../cat/x;touch ' + marker)} ${single('$(touch${IFS}' + marker + '):../../cat/y')})`,
    ].join('\n')),
  };
  await writeFiles(root, files);

  const run = await kiln(['scan', '--tree', root]);
  const { entries, errors } = parseIndex(run.stdout);
  assert.deepEqual(errors, []);
  assert.deepEqual(entries.map((e) => e.pkgname), ['evil-1.0'], 'one block: nothing forged another');
  const vars = entries[0]!.vars;
  assert.equal(vars.get('COMMENT'), payload);
  assert.equal(vars.get('HOMEPAGE'), payload);
  assert.deepEqual(unquoteReasons(vars.get('PKG_SKIP_REASON')!), [payload + '\nsecond line']);
  assert.equal(vars.get('MAINTAINER'), 'a\\nPKGNAME=forged-6.6');
  const fail = unquoteReasons(vars.get('PKG_FAIL_REASON')!);
  assert.ok(fail.some((reason) => reason.startsWith('MAINTAINER holds a newline')));
  assert.ok(fail.some((reason) => reason.includes(`x-1:../../cat/x;touch ${marker}`)));
  assert.equal(vars.get('ALL_DEPENDS'), '$(touch${IFS}' + marker + '):../../cat/y', 'a pattern is only text');
  assert.equal(existsSync(marker), false, 'nothing ran the payload');
});

void test('a Portfile cannot write to the tree or the host, nor reach the network, while it is scanned', async (t) => {
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  let connections = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const root = await makeTree({});
  t.after(() => rm(root, { recursive: true, force: true }));
  const hostFile = path.join(root, 'host-file');
  const scratch = `/tmp/${path.basename(root)}-scratch`;
  await writeFiles(root, { 'cat/nosy/Portfile': portfile('nosy-1.0', [
    'echo pwned >in-tree 2>/dev/null',
    `echo pwned >${hostFile} 2>/dev/null`,
    `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && NET=reached || NET=blocked`,
    `echo pwned >${scratch} && TMP=writable || TMP=readonly`,
    'COMMENT="network $NET, private tmp $TMP, user $(id -u)"',
  ].join('\n')) });
  const run = await kiln(['scan', '--tree', root]);
  assert.equal(run.status, 0, run.stderr);
  const vars = parseIndex(run.stdout).entries[0]!.vars;
  assert.equal(vars.get('COMMENT'), 'network blocked, private tmp writable, user 65534');
  assert.equal(existsSync(path.join(root, 'cat/nosy/in-tree')), false);
  assert.equal(existsSync(hostFile), false);
  assert.equal(existsSync(scratch), false, "the sandbox's /tmp is its own");
  assert.equal(connections, 0);
});

void test('dependency directories that leave the tree are rejected by name; symlinks out of the tree are not followed', async (t) => {
  const outside = await makeTree({ 'secret/x/Portfile': portfile('secret-1.0'), 'Portfile': portfile('outside-1.0') });
  const root = await makeTree({
    'cat/a/Portfile': portfile('a-1.0', "DEPENDS=('b-[0-9]*:../../cat/b' 'up-1:../../../etc' 'abs-1:/etc/passwd' 'short-1:../b' 'nocolon')"),
    'cat/b/Portfile': portfile('b-1.0'),
  });
  t.after(() => Promise.all([rm(root, { recursive: true, force: true }), rm(outside, { recursive: true, force: true })]));
  const { mkdir, symlink } = await import('node:fs/promises');
  await symlink(path.join(outside, 'secret'), path.join(root, 'linked'));
  await symlink(path.join(outside, 'secret/x'), path.join(root, 'cat/linkedport'));
  await mkdir(path.join(root, 'cat/linkfile'));
  await symlink(path.join(outside, 'Portfile'), path.join(root, 'cat/linkfile/Portfile'));

  const run = await kiln(['scan', '--tree', root]);
  assert.equal(run.status, 1, 'the symlinked ports cannot be scanned');
  const entries = parseIndex(run.stdout).entries;
  // A symlinked port is listed with why it is not read, so the report shows it; a symlinked category is not entered.
  assert.deepEqual(entries.map((e) => e.vars.get('PKG_LOCATION')), ['cat/a', 'cat/b', 'cat/linkedport', 'cat/linkfile']);
  assert.match(entries[2]!.vars.get('KILN_SCAN_ERROR')!, /cat\/linkedport is a symlink/);
  assert.match(entries[3]!.vars.get('KILN_SCAN_ERROR')!, /symlink that leaves the tree/);
  assert.doesNotMatch(run.stdout, /outside-1\.0|secret-1\.0/);
  const a = entries[0]!.vars;
  assert.equal(a.get('ALL_DEPENDS'), 'b-[0-9]*:../../cat/b');
  const reasons = unquoteReasons(a.get('PKG_FAIL_REASON')!);
  assert.equal(reasons.length, 4);
  for (const entry of ['up-1:../../../etc', 'abs-1:/etc/passwd', 'short-1:../b', 'nocolon']) {
    assert.ok(reasons.some((reason) => reason.includes(JSON.stringify(entry))), entry);
  }

  const asked = await kiln(['scan', '--tree', root, 'cat/linkfile', 'cat/linkedport']);
  assert.equal(asked.status, 1);
  const blocks = parseIndex(asked.stdout).entries;
  assert.deepEqual(blocks.map((e) => e.pkgname), ['linkedport', 'linkfile']);
  assert.match(blocks[0]!.vars.get('KILN_SCAN_ERROR')!, /symlink/);
  assert.match(blocks[1]!.vars.get('KILN_SCAN_ERROR')!, /symlink that leaves the tree/);
  assert.doesNotMatch(asked.stdout, /outside-1\.0|secret-1\.0/);

  const traversal = await kiln(['scan', '--tree', root, '../etc']);
  assert.equal(traversal.status, 2);
  assert.match(traversal.stderr, /not a pkgpath/);
});
