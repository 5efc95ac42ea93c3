// The hosts file's STARTUP script on localhost, with the real `kiln build`:
// it runs before any job here, and a failing one refuses the host with its
// output and ends the run with exit 5 (no host could build) and the reason,
// not an internal error.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { makeDurableTree } from '../support/durable-tree.js';
import { kiln } from '../support/kiln-runs.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-startup-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('STARTUP runs on localhost before it builds; a failing one stops the run saying why', async () => {
  const tree = join(work, 'tree');
  await makeDurableTree(tree, { a: {}, b: { deps: ['a'] } });
  const hosts = join(work, 'hosts');
  writeFileSync(hosts, 'localhost jobs=2\nSTARTUP=./startup.sh\n');
  const args = (name: string): string[] => ['build', '--tree', tree, '--hosts', hosts, '--logdir', join(work, name, 'logs'), '--packages', join(work, name, 'packages')];

  writeFileSync(join(work, 'startup.sh'), `echo ready > ${JSON.stringify(join(work, 'ran'))}\n`);
  const good = await kiln(args('good'));
  assert.equal(good.code, 0, good.stderr);
  assert.equal(readFileSync(join(work, 'ran'), 'utf8'), 'ready\n');

  writeFileSync(join(work, 'startup.sh'), 'echo no ccache here >&2\nexit 3\n');
  const bad = await kiln(args('bad'));
  assert.equal(bad.code, 5, 'no host could build');
  assert.match(bad.stderr + bad.stdout, /error: host localhost: the STARTUP script failed \(3\): no ccache here/, 'why, as the run stops');
  assert.match(bad.stderr + bad.stdout, /localhost refused: the STARTUP script failed \(3\): no ccache here/);
  assert.doesNotMatch(bad.stderr + bad.stdout, /internal error|AbortError/);
});
