import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFacts } from '../agent/protocol.js';
import { checkHost, type HostRequirements } from './host-check.js';

const facts: HostFacts = {
  protocol: 1, arch: 'x86_64', os: 'linux', osRelease: '6.1.0', node: '20.20.2', cores: 8, memoryMiB: 16000,
  diskFreeMiB: 50_000, bwrap: { ok: true, detail: 'works' }, workDir: { ok: true, detail: 'reachable' }, leftoversEnded: 0,
};
const req: HostRequirements = { protocol: 1, minDiskFreeMiB: 1024, requireBwrap: true };

void test('a good host is accepted with what the engine needs to know', () => {
  assert.deepEqual(checkHost(facts, req), { ok: true, info: { arch: 'x86_64', os: 'linux 6.1.0', node: '20.20.2', cores: 8, memoryMiB: 16000 } });
});

void test('every reason to refuse is named, all at once', () => {
  const table: Array<[Partial<HostFacts>, Partial<HostRequirements>, string]> = [
    [{ node: '18.19.0' }, {}, 'node 18.19.0 is too old (kiln needs Node.js 20 or later)'],
    [{ node: 'weird' }, {}, 'node weird is too old (kiln needs Node.js 20 or later)'],
    [{ arch: 'aarch64' }, { arch: 'x86_64' }, 'it is aarch64, the hosts file says arch=x86_64'],
    [{ arch: 'x86_64' }, { buildArch: 'aarch64' }, 'it is x86_64, the build is for aarch64 (kiln build --arch)'],
    [{ arch: 'i686' }, { arch: 'i686', buildArch: 'x86_64' }, 'it is i386, the build is for x86_64 (kiln build --arch)'],
    [{ bwrap: { ok: false, detail: 'bwrap (bubblewrap) is not on PATH' } }, {}, 'no working bubblewrap: bwrap (bubblewrap) is not on PATH'],
    [{ diskFreeMiB: 10 }, {}, 'only 10 MiB free where kiln works (at least 1024 MiB wanted)'],
    [{ protocol: 2 }, {}, 'its agent speaks protocol 2, kiln 1'],
    [{ workDir: { ok: false, detail: 'the build user (uid 65534) cannot search /root, on the way to /root/k/jobs' } }, {},
      'the build user (uid 65534) cannot search /root, on the way to /root/k/jobs: give the host a directory the build user can reach with dir= in the hosts file (e.g. dir=/var/tmp/kiln)'],
    [{ node: '16.0.0', diskFreeMiB: 0 }, {}, 'node 16.0.0 is too old (kiln needs Node.js 20 or later); only 0 MiB free where kiln works (at least 1024 MiB wanted)'],
  ];
  for (const [f, r, reason] of table) {
    // Only its arch is a refusal for the whole run: the rest may be mended while it runs, and the host is tried again.
    const lasting = reason.startsWith('it is ') ? { lasting: true } : {};
    assert.deepEqual(checkHost({ ...facts, ...f }, { ...req, ...r }), { ok: false, reason, ...lasting });
  }
  assert.equal(checkHost({ ...facts, node: '22.1.0' }, req).ok, true);
  // pkgsrc calls every 32-bit x86 i386: a host saying i686 builds for --arch i386, and says i386.
  assert.deepEqual(checkHost({ ...facts, arch: 'i686' }, { ...req, arch: 'i386', buildArch: 'i386' }),
    { ok: true, info: { arch: 'i386', os: 'linux 6.1.0', node: '20.20.2', cores: 8, memoryMiB: 16000 } });
  assert.equal(checkHost({ ...facts, bwrap: { ok: false, detail: 'x' } }, { ...req, requireBwrap: false }).ok, true);
});
