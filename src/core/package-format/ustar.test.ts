import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TarScanner } from './tar-scanner.js';
import type { TarHeader } from './ustar.js';
import { BLOCK, encodeHeader, endOfArchive, paddingFor } from './ustar.js';

const base: TarHeader = {
  path: 'bin/hello', type: 'file', mode: 0o755, uid: 0, gid: 0, uname: 'root', gname: 'root', size: 0, mtime: 1_700_000_000, linkname: '',
};

function archive(entries: readonly { header: TarHeader; data?: string }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { header, data } of entries) {
    const bytes = new TextEncoder().encode(data ?? '');
    parts.push(encodeHeader({ ...header, size: bytes.length }), bytes, new Uint8Array(paddingFor(bytes.length)));
  }
  parts.push(endOfArchive());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

void test('a short name is one ustar block and reads back with every field', () => {
  assert.equal(encodeHeader(base).length, BLOCK);
  const { members, ended } = new TarScanner(() => true).push(archive([{ header: base, data: 'hi\n' }]));
  assert.equal(ended, true);
  const [m] = members;
  assert.equal(m?.path, 'bin/hello');
  assert.equal(m?.mode, 0o755);
  assert.equal(m?.mtime, 1_700_000_000);
  assert.equal(m?.uname, 'root');
  assert.equal(new TextDecoder().decode(m?.data), 'hi\n');
});

void test('a long path is split into prefix and name; a longer one, a non-ASCII one and a long link get pax records', () => {
  const split = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
  const long = `${'x'.repeat(300)}/file`;
  const unicode = 'share/doc/caf\u00e9.txt';
  const link = { ...base, path: 'lib/link', type: 'symlink' as const, linkname: `${'t'.repeat(150)}/target` };
  assert.equal(encodeHeader({ ...base, path: split }).length, BLOCK);
  assert.ok(encodeHeader({ ...base, path: long }).length > BLOCK);
  const { members } = new TarScanner(() => true).push(archive([
    { header: { ...base, path: split } }, { header: { ...base, path: long } }, { header: { ...base, path: unicode } }, { header: link },
  ]));
  assert.deepEqual(members.map((m) => m.path), [split, long, unicode, 'lib/link']);
  assert.equal(members[3]?.linkname, link.linkname);
  assert.equal(members[3]?.type, 'symlink');
});

void test('the scanner takes the stream in pieces of any size and keeps only what it is asked to', () => {
  const bytes = archive([{ header: { ...base, path: '+CONTENTS' }, data: '@name a-1\n' }, { header: base, data: 'x'.repeat(1000) }]);
  const scanner = new TarScanner((path) => path.startsWith('+'));
  const members = [];
  for (let at = 0; at < bytes.length; at += 7) members.push(...scanner.push(bytes.subarray(at, at + 7)).members);
  assert.deepEqual(members.map((m) => [m.path, m.data === undefined]), [['+CONTENTS', false], ['bin/hello', true]]);
  assert.equal(new TextDecoder().decode(members[0]?.data), '@name a-1\n');
});

void test('a corrupt header is reported, not thrown', () => {
  const bytes = archive([{ header: base, data: 'x' }]);
  bytes[10] = 0x41;
  const result = new TarScanner(() => true).push(bytes);
  assert.equal(result.error, 'header checksum mismatch');
  assert.deepEqual(result.members, []);
});
