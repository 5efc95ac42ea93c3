import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { HostView, JobMount, MountOp } from './bwrap-mounts.js';
import { mountArgs, planMounts } from './bwrap-mounts.js';

/** A host tree: directories list their children; `->x` marks a symlink to x. */
function hostOf(tree: Record<string, string[] | string>): HostView {
  return {
    kind: (path) => {
      const entry = tree[path];
      if (entry === undefined) return 'missing';
      return typeof entry === 'string' ? (entry.startsWith('->') ? 'symlink' : 'other') : 'dir';
    },
    readlink: (path) => String(tree[path]).slice(2),
    list: (path) => {
      const entry = tree[path];
      return Array.isArray(entry) ? entry : [];
    },
  };
}

const host = hostOf({
  '/usr': ['bin', 'lib', 'local', 'share'], '/usr/bin': [], '/usr/lib': [], '/usr/local': ['bin'], '/usr/share': [],
  '/bin': '->usr/bin', '/etc': ['passwd'], '/opt': ['kiln'], '/opt/kiln': ['bin'],
});
const work: JobMount = { source: '/scratch/work', dest: '/build/work', writable: true };
const mounts = (prefix: string): JobMount[] => [work, { source: '/scratch/prefix', dest: prefix, writable: false }];
const plan = (prefix: string, hidden: string[] = []): readonly MountOp[] => {
  const result = planMounts({ hostPaths: ['/usr', '/bin', '/lib64', '/etc'], hiddenPaths: hidden, mounts: mounts(prefix) }, host);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.ops;
};

void test('host paths are bound read-only whole, symlinks copied, missing ones left out; the root is made read-only last', () => {
  assert.deepEqual(mountArgs(plan('/opt/kiln')), [
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--ro-bind', '/etc', '/etc',
    '--dev', '/dev', '--proc', '/proc',
    '--bind', '/scratch/work', '/build/work', '--ro-bind', '/scratch/prefix', '/opt/kiln',
    '--remount-ro', '/',
  ]);
});

void test("a PREFIX inside a host directory that lacks it rebuilds that directory from its other children", () => {
  const ops = plan('/usr/pkg');
  assert.deepEqual(ops.slice(0, 5), [
    { op: 'dir', dest: '/usr' },
    { op: 'ro-bind', source: '/usr/bin', dest: '/usr/bin' }, { op: 'ro-bind', source: '/usr/lib', dest: '/usr/lib' },
    { op: 'ro-bind', source: '/usr/local', dest: '/usr/local' }, { op: 'ro-bind', source: '/usr/share', dest: '/usr/share' },
  ]);
  assert.ok(ops.some((op) => op.op === 'ro-bind' && op.dest === '/usr/pkg'));
});

void test('a hidden path becomes an empty read-only tmpfs, and a PREFIX below it needs no rebuilding', () => {
  const ops = plan('/usr/local/kiln', ['/usr/local', '/nonexistent']);
  assert.deepEqual(ops[0], { op: 'ro-bind', source: '/usr', dest: '/usr' });
  const args = mountArgs(ops).join(' ');
  assert.match(args, /--tmpfs \/usr\/local .*--ro-bind \/scratch\/prefix \/usr\/local\/kiln --remount-ro \/usr\/local --remount-ro \/$/);
  assert.doesNotMatch(args, /nonexistent/);
});

void test('a PREFIX that exists on the host is mounted over it; a PREFIX equal to a hidden path replaces the hiding', () => {
  assert.deepEqual(plan('/usr/local', ['/usr/local']).filter((op) => op.dest === '/usr/local'), [
    { op: 'ro-bind', source: '/scratch/prefix', dest: '/usr/local' },
  ]);
});

void test('a PREFIX under a host symlink is refused with the reason', () => {
  const result = planMounts({ hostPaths: ['/bin'], hiddenPaths: [], mounts: mounts('/bin/kiln') }, host);
  assert.deepEqual(result, { ok: false, reason: '/bin/kiln lies under the host symlink /bin' });
});
