import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseIndex } from '../formats/pbulk-index.js';
import { formatPresolve } from '../formats/presolve-format.js';
import type { ResolvedPackage } from './resolve.js';
import { resolveIndex } from './resolve.js';

/** An index from `pkgname location deps... [| KEY=VALUE...]` lines. */
function index(...ports: string[]): string {
  return ports.map((line) => {
    const [head, ...extra] = line.split(' | ');
    const [pkgname, location, ...deps] = head!.split(' ');
    return [`PKGNAME=${pkgname}`, `PKG_LOCATION=${location}`, `ALL_DEPENDS=${deps.join(' ')}`,
      'PKG_SKIP_REASON=', 'PKG_FAIL_REASON=', ...extra].join('\n') + '\n';
  }).join('');
}

function resolve(text: string, strict = false): { byName: Map<string, ResolvedPackage>; messages: string[]; presolve: string } {
  const { packages, messages } = resolveIndex(parseIndex(text).entries, { strict });
  return {
    byName: new Map(packages.map((p) => [p.pkgname, p])),
    messages: messages.map((m) => `${m.level}: ${m.text}`),
    presolve: formatPresolve(packages),
  };
}

test('the best match is the newest version, wherever it lives', () => {
  const { byName, presolve } = resolve(index(
    'app-1.0 misc/app gmake>=4.0:../../devel/gmake {py311,py312}-foo-[0-9]*:../../devel/py-foo',
    'gmake-4.2nb3 devel/gmake',
    'gmake-4.4.1 devel/gmake44',
    'gmake-3.82 devel/gmake3',
    'py311-foo-2.0 devel/py-foo',
    'py312-foo-2.0 devel/py-foo',
  ));
  assert.deepEqual(byName.get('app-1.0')!.depends, ['gmake-4.4.1', 'py312-foo-2.0']);
  assert.equal(byName.get('app-1.0')!.prefailed, undefined);
  assert.ok(presolve.includes('PKG_FAIL_REASON=\nDEPENDS=gmake-4.4.1 py312-foo-2.0\nPKGNAME=gmake-4.2nb3\n'));
});

test('a pattern already satisfied by an earlier dependency adds nothing, as in pbulk', () => {
  const { byName } = resolve(index(
    'client-1 misc/client mariadb-client>=10.5<10.6:../../databases/mariadb105-client mariadb-client>=10.0:../../databases/mariadb-client gmake-[0-9]*:../../devel/gmake gmake>=4:../../devel/gmake',
    'mariadb-client-10.5.29nb2 databases/mariadb105-client',
    'mariadb-client-11.8.3 databases/mariadb-client',
    'gmake-4.4.1 devel/gmake',
  ));
  assert.deepEqual(byName.get('client-1')!.depends, ['mariadb-client-10.5.29nb2', 'gmake-4.4.1']);
});

test('skip and fail reasons are prefailed with their unquoted text; dependents are left to the engine', () => {
  const { byName } = resolve(index(
    'wl-1 x11/wl | PKG_SKIP_REASON="Platform does not support Wayland"',
    'fuse-1 fs/fuse | PKG_FAIL_REASON="Couldn\'t find fuse headers," "please install libfuse."',
    'user-1 misc/user wl-[0-9]*:../../x11/wl fuse>=1:../../fs/fuse',
  ));
  assert.equal(byName.get('wl-1')!.prefailed, 'Platform does not support Wayland');
  assert.equal(byName.get('wl-1')!.cause, 'skip');
  assert.equal(byName.get('fuse-1')!.prefailed, "Couldn't find fuse headers, please install libfuse.");
  assert.equal(byName.get('fuse-1')!.cause, 'fail');
  assert.equal(byName.get('user-1')!.prefailed, undefined);
  assert.deepEqual(byName.get('user-1')!.depends, ['wl-1', 'fuse-1']);
});

test('an unresolvable pattern: named with its directory, no DEPENDS=, PKG_FAIL_REASON as pbulk writes it', () => {
  const text = index(
    'py311-e3-core-22.10.0nb3 devel/py-e3-core py311-stevedore>=1.20.0:../../devel/py-stevedore gmake>=4:../../devel/gmake',
    'gmake-4.4.1 devel/gmake',
  );
  const lenient = resolve(text);
  const pkg = lenient.byName.get('py311-e3-core-22.10.0nb3')!;
  assert.equal(pkg.cause, 'unresolvable');
  assert.equal(pkg.prefailed, 'no package matches dependency py311-stevedore>=1.20.0 (devel/py-stevedore)');
  assert.deepEqual(pkg.depends, ['gmake-4.4.1']);
  assert.deepEqual(lenient.messages, ['warning: No match found for dependency py311-stevedore>=1.20.0 of package py311-e3-core-22.10.0nb3']);
  assert.match(lenient.presolve, /\nPKG_FAIL_REASON="could not resolve dependency "py311-stevedore>=1\.20\.0""\n/);
  assert.doesNotMatch(lenient.presolve.split('PKGNAME=gmake')[0]!, /\nDEPENDS=/);
  assert.deepEqual(resolve(text, true).messages, ['error: No match found for dependency py311-stevedore>=1.20.0 of package py311-e3-core-22.10.0nb3']);
});

test('dependency directories that leave the tree prefail the package; other relative ones are normalised', () => {
  const { byName } = resolve(index(
    'escape-1 misc/escape gmake>=4:../../../../etc',
    'absolute-1 misc/absolute gmake>=4:/usr/pkgsrc/devel/gmake',
    'sibling-1 devel/sibling gmake>=4:../gmake gmake>=4:../../devel/./gmake',
    'gmake-4.4.1 devel/gmake',
  ));
  assert.equal(byName.get('escape-1')!.cause, 'outside-tree');
  assert.equal(byName.get('escape-1')!.prefailed, 'dependency gmake>=4:../../../../etc points outside the tree');
  assert.equal(byName.get('absolute-1')!.cause, 'outside-tree');
  assert.equal(byName.get('sibling-1')!.prefailed, undefined);
  assert.deepEqual(byName.get('sibling-1')!.depends, ['gmake-4.4.1']);
});

test('cycles: every member prefailed, the reason naming the cycle; what hangs off it is not', () => {
  const { byName, presolve } = resolve(index(
    'a-1 test/a b-[0-9]*:../../test/b',
    'b-1 test/b c-[0-9]*:../../test/c',
    'c-1 test/c a-[0-9]*:../../test/a',
    'self-1 test/self self-[0-9]*:../../test/self',
    'outside-1 test/outside a-[0-9]*:../../test/a',
  ));
  assert.equal(byName.get('a-1')!.prefailed, 'dependency cycle: a-1 -> b-1 -> c-1 -> a-1');
  assert.equal(byName.get('b-1')!.prefailed, 'dependency cycle: b-1 -> c-1 -> a-1 -> b-1');
  assert.equal(byName.get('c-1')!.cause, 'cycle');
  assert.equal(byName.get('self-1')!.prefailed, 'dependency cycle: self-1 -> self-1');
  assert.equal(byName.get('outside-1')!.prefailed, undefined);
  assert.match(presolve, /PKG_FAIL_REASON="dependency cycle: a-1 -> b-1 -> c-1 -> a-1"\n/);
  assert.match(presolve, /\nDEPENDS=b-1\n/);
});

test('a knot larger than one cycle names all its members', () => {
  const { byName } = resolve(index(
    'a-1 t/a b-1:../../t/b c-1:../../t/c',
    'b-1 t/b a-1:../../t/a',
    'c-1 t/c a-1:../../t/a',
  ));
  assert.equal(byName.get('a-1')!.prefailed, 'dependency cycle: a-1 -> b-1 -> a-1 (one of the cycles among a-1, b-1, c-1)');
});

test('a dependency on a port that could not be scanned resolves to it, so it blocks its dependents', () => {
  const { byName, messages, presolve } = resolve(index(
    'user-1 misc/user gmake>=4:../../devel/gmake',
    'gmake devel/gmake | KILN_SCAN_ERROR=Portfile: line 3: syntax error',
    'other-1 misc/other gmake-[0-9]*:../../devel/gmake2',
  ));
  assert.deepEqual(byName.get('user-1')!.depends, ['gmake']);
  assert.equal(byName.get('user-1')!.prefailed, undefined);
  assert.equal(byName.get('gmake')!.cause, 'scan-error');
  assert.equal(byName.get('gmake')!.prefailed, 'could not be scanned: Portfile: line 3: syntax error');
  // a scan-error block is nobody's best match: only its directory leads to it
  assert.equal(byName.get('other-1')!.cause, 'unresolvable');
  assert.deepEqual(messages, ['warning: No match found for dependency gmake-[0-9]* of package other-1']);
  assert.match(presolve, /\nDEPENDS=gmake\n/);
});

test('RUN_DEPENDS resolves the same way; undefined when the block has none', () => {
  const { byName } = resolve(index(
    'app-1 misc/app gmake>=4:../../devel/gmake perl>=5:../../lang/perl5 | RUN_DEPENDS=perl>=5:../../lang/perl5',
    'gmake-4.4.1 devel/gmake',
    'perl-5.42.0nb1 lang/perl5',
  ));
  assert.deepEqual(byName.get('app-1')!.runDepends, ['perl-5.42.0nb1']);
  assert.equal(byName.get('gmake-4.4.1')!.runDepends, undefined);
});

test('malformed tokens and later duplicate pkgnames are reported', () => {
  const { byName, messages, presolve } = resolve(index(
    'bad-1 misc/bad nocolon gmake>=4:../../devel/gmake',
    'gmake-4.4.1 devel/gmake',
    'gmake-4.4.1 devel/gmake-copy',
  ));
  assert.equal(byName.get('bad-1')!.cause, 'malformed-dependency');
  assert.deepEqual(messages, ['warning: Incorrect dependency nocolon for bad-1', 'warning: Duplicate PKGNAME gmake-4.4.1 dropped (first at line 6)']);
  assert.equal(presolve.split('PKGNAME=gmake-4.4.1').length, 2);
  assert.equal(byName.get('gmake-4.4.1')!.pkgpath, 'devel/gmake');
});

test('a block that already has DEPENDS= is written as it is; names not in the index are reported', () => {
  const text = index('a-1 t/a b-[0-9]*:../../t/b | DEPENDS=b-0.9 c-1', 'b-1 t/b', 'c-1 t/c');
  const { byName, presolve, messages } = resolve(text);
  assert.deepEqual(byName.get('a-1')!.depends, ['c-1']);
  assert.deepEqual(messages, ['warning: DEPENDS of a-1 names b-0.9, which is not in the index']);
  assert.equal(presolve, text);
});
