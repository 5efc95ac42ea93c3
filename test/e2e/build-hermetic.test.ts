// `kiln build` on a small fixture tree, the real binary: what the sandbox
// promises (only declared dependencies, build-only ones not passed on,
// nothing written outside reaches the host), hostile metadata that executes
// nothing and is escaped in report.html, and a broken Portfile that is
// reported without stopping the others.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { kiln, type KilnRun, makeTree } from './scan-fixtures.js';

const token = randomBytes(6).toString('hex');
const marker = (name: string): string => path.join(tmpdir(), `kiln-e2e-${name}-${token}`);

const lib = (name: string, body: string): Record<string, string> => ({
  [`devel/${name}/Portfile`]: `PKGNAME=${name}-1.0
COMMENT="The ${name} library"
build() { printf '%s\\n' '${body}' >${name}.h && printf 'int ${name}_value(void) { return 7; }\\n' >${name}.c && cc -c ${name}.c && ar rc lib${name}.a ${name}.o; }
install() { mkdir -p "$DESTDIR$PREFIX/include" "$DESTDIR$PREFIX/lib" && cp ${name}.h "$DESTDIR$PREFIX/include/" && cp lib${name}.a "$DESTDIR$PREFIX/lib/"; }
`,
});

const tree: Record<string, string> = {
  ...lib('liba', 'int liba_value(void);'),
  // A code generator needed only to build `mid`.
  'devel/gen/Portfile': `PKGNAME=gen-1.0
build() { printf '#!/bin/sh\\necho "int generated(void) { return 42; }"\\n' >gen; }
install() { mkdir -p "$DESTDIR$PREFIX/bin" && cp gen "$DESTDIR$PREFIX/bin/" && chmod 755 "$DESTDIR$PREFIX/bin/gen"; }
`,
  'misc/mid/Portfile': `PKGNAME=mid-1.0
DEPENDS=('liba>=1.0:../../devel/liba')
BUILD_DEPENDS=('gen-[0-9]*:../../devel/gen')
build() {
  gen >generated.c || return
  printf '#include <liba.h>\\nint generated(void);\\nint main(void) { return liba_value() + generated() == 49 ? 0 : 1; }\\n' >mid.c
  cc -I"$PREFIX/include" mid.c generated.c -L"$PREFIX/lib" -lliba -o mid && ./mid
}
install() { mkdir -p "$DESTDIR$PREFIX/bin" && cp mid "$DESTDIR$PREFIX/bin/"; }
`,
  // Needs mid to run: gets mid and what mid needs at run time (liba), not mid's build-only gen.
  'misc/top/Portfile': `PKGNAME=top-1.0
DEPENDS=('mid-[0-9]*:../../misc/mid')
build() {
  test -x "$PREFIX/bin/mid" || { echo "mid is missing"; return 1; }
  test -e "$PREFIX/include/liba.h" || { echo "liba, a run dependency of mid, is missing"; return 1; }
  if test -e "$PREFIX/bin/gen"; then echo "gen, build-only for mid, was passed on"; return 1; fi
  "$PREFIX/bin/mid"
}
install() { mkdir -p "$DESTDIR$PREFIX/share/top" && echo ok >"$DESTDIR$PREFIX/share/top/ok"; }
`,
  // Uses liba without declaring it.
  'misc/sneaky/Portfile': `PKGNAME=sneaky-1.0
build() { printf '#include <liba.h>\\nint main(void) { return liba_value(); }\\n' >s.c && cc -I"$PREFIX/include" s.c -o s; }
install() { :; }
`,
  // Writes everywhere it should not.
  'misc/writer/Portfile': `PKGNAME=writer-1.0
build() {
  echo x >/tmp/${path.basename(marker('tmp'))}
  echo x >"$HOME/${path.basename(marker('home'))}"
  echo x >/etc/${path.basename(marker('etc'))} 2>/dev/null || echo "/etc is read-only, as it should be"
  echo x >/var/tmp/${path.basename(marker('vartmp'))}
  return 0
}
install() { mkdir -p "$DESTDIR$PREFIX/share" && echo ok >"$DESTDIR$PREFIX/share/writer"; }
`,
  // Metadata that would run commands, or script in a page, if anything evaluated it. Fails to build, so it is shown.
  'misc/hostile/Portfile': `PKGNAME=hostile-1.0
COMMENT='$(touch ${marker('dollar')}) \`touch ${marker('backtick')}\` "quoted" <script>alert(1)</script>'
MAINTAINER='<img src=x onerror=alert(2)>@example.org'
HOMEPAGE='javascript:alert(3)'
build() { echo '<script>alert(4)</script>'; return 1; }
install() { :; }
`,
  'misc/broken/Portfile': 'PKGNAME=broken-1.0\nbuild() { echo unclosed\n',
  'misc/after-broken/Portfile': `PKGNAME=after-broken-1.0
DEPENDS=('broken-[0-9]*:../../misc/broken')
build() { :; }
install() { :; }
`,
};

interface ReportPackage { pkgname: string; pkgpath: string; status: string; phase: string | null; error: string | null; reason: string | null; blocked_by: string[] }

void describe('kiln build: sandboxes, hostile metadata, broken ports', () => {
  let root: string;
  let run: KilnRun;
  let packages: ReportPackage[];
  const status = (pkgpath: string): ReportPackage => packages.find((p) => p.pkgpath === pkgpath)!;

  before(async () => {
    root = await makeTree(Object.fromEntries(Object.entries(tree).map(([f, c]) => [`tree/${f}`, c])));
    run = await kiln(['build', '--tree', `${root}/tree`, '--jobs', '2', '--logdir', `${root}/logs`, '--packages', `${root}/packages`, '--plain']);
    packages = (JSON.parse(readFileSync(path.join(root, 'logs/report.json'), 'utf8')) as { packages: ReportPackage[] }).packages;
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    for (const name of ['tmp', 'home', 'etc', 'vartmp', 'dollar', 'backtick']) rmSync(marker(name), { force: true });
  });

  void test('declared dependencies build, with their run dependencies passed on and build-only ones not', () => {
    assert.equal(status('misc/mid').status, 'done', run.stdout);
    assert.equal(status('misc/top').status, 'done', readFileSync(path.join(root, 'logs/packages/top-1.0.log'), 'utf8'));
  });

  void test('a port using a library it does not declare fails: the sandbox holds only what it declared', () => {
    const sneaky = status('misc/sneaky');
    assert.equal(sneaky.status, 'failed');
    assert.equal(sneaky.phase, 'build');
    assert.equal(sneaky.error, 'missing header');
  });

  void test('what a build writes to /tmp, $HOME, /var/tmp or /etc does not reach the host', () => {
    assert.equal(status('misc/writer').status, 'done');
    for (const file of [marker('tmp'), path.join(homedir(), path.basename(marker('home'))), `/etc/${path.basename(marker('etc'))}`, `/var/tmp/${path.basename(marker('vartmp'))}`]) {
      assert.equal(existsSync(file), false, file);
    }
  });

  void test('metadata holding $(...), backticks and quotes executes nothing', () => {
    assert.equal(existsSync(marker('dollar')), false);
    assert.equal(existsSync(marker('backtick')), false);
    assert.equal(status('misc/hostile').status, 'failed');
  });

  void test('report.html shows hostile metadata as text, never as markup', () => {
    const html = readFileSync(path.join(root, 'logs/report.html'), 'utf8');
    for (const raw of ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', 'href="javascript:']) assert.equal(html.includes(raw), false, raw);
    assert.ok(html.includes('hostile-1.0'));
  });

  void test('a Portfile that does not parse is reported, with its error, and blocks only what needs it', () => {
    const broken = status('misc/broken');
    assert.equal(broken.status, 'prefailed');
    assert.match(broken.reason ?? '', /syntax error|unexpected end of file/);
    assert.equal(status('misc/after-broken').status, 'indirect-prefailed');
    assert.deepEqual(status('misc/after-broken').blocked_by, [broken.pkgname]);
    assert.equal(run.status, 1, 'packages failed');
  });
});
