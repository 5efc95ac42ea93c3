import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { kitPrefix, readBootstrapKit } from './bootstrap-kit.js';

test('PREFIX is the one directory every file of the kit lies under', () => {
  assert.equal(kitPrefix(['./usr/pkg/etc/mk.conf', './usr/pkg/sbin/pkg_add', './usr/pkg/pkgdb/x/+CONTENTS']), '/usr/pkg');
  assert.equal(kitPrefix(['opt/local/bin/bmake', 'opt/local/sbin/pkg_add']), '/opt/local');
  assert.equal(kitPrefix(['./usr/pkg/bin/bmake', './var/db/pkg/bmake/+CONTENTS']), undefined, 'a package database outside: no one prefix');
  assert.equal(kitPrefix(['./opt/bin/bmake', './opt/sbin/pkg_add', 'opt/x']), undefined, '/opt itself would hide the host\'s');
  assert.equal(kitPrefix([]), undefined);
});

test('a kit is read for its prefix, its hash and its package tools', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-kit-test-'));
  try {
    const make = (name: string, files: string[]): string => {
      const root = path.join(dir, name);
      for (const file of files) {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), `${file}\n`);
      }
      execFileSync('tar', ['-czf', `${root}.tgz`, '-C', root, '.']);
      return `${root}.tgz`;
    };
    const tools = ['sbin/pkg_add', 'sbin/pkg_delete', 'sbin/pkg_info', 'sbin/pkg_create'];
    const good = await readBootstrapKit(make('good', ['usr/pkg/etc/mk.conf', ...tools.map((t) => `usr/pkg/${t}`)]));
    assert.ok(good.ok);
    assert.equal(good.kit.prefix, '/usr/pkg');
    assert.match(good.kit.sha256, /^[0-9a-f]{64}$/);
    const lacking = await readBootstrapKit(make('lacking', ['usr/pkg/etc/mk.conf', 'usr/pkg/sbin/pkg_add']));
    assert.deepEqual(lacking.ok ? undefined : lacking.reason.replace(dir, 'DIR'), 'bootstrap kit DIR/lacking.tgz lacks /usr/pkg/sbin/pkg_delete, /usr/pkg/sbin/pkg_info, /usr/pkg/sbin/pkg_create');
    writeFileSync(path.join(dir, 'junk.tgz'), 'not a kit');
    const junk = await readBootstrapKit(path.join(dir, 'junk.tgz'));
    assert.equal(junk.ok, false);
    assert.equal((await readBootstrapKit(path.join(dir, 'missing.tgz'))).ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
