import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parsePkgsrcFetch, PKGSRC_FETCH_QUERY, siteUrl, withOverride } from './pkgsrc-fetch.js';

// What bmake -V prints for a port with DIST_SUBDIR=figlet, a distfile and a patch file,
// MASTER_SITE_OVERRIDE and MASTER_SITE_BACKUP set in mk.conf (pkgsrc appends DIST_SUBDIR/ to both).
const ANSWER = [
  '/usr/pkgsrc/misc/figlet/distinfo',
  'figlet',
  'kiln:file figlet/figlet-2.2.5.tar.gz http://mirror.example/d/figlet/ ftp://ftp.figlet.org/pub/figlet/program/unix/ http://backup.example/d/figlet/'
    + ' kiln:file figlet/fix.diff http://mirror.example/d/figlet/ -http://patches.example/get?id=7&name=fix.diff `sh getsite.sh` http://backup.example/d/figlet/',
  '',
].join('\n');

void test('bmake\'s answer gives each file of _ALLFILES its URLs in pkgsrc\'s order: override, SITES.<file>, backup', () => {
  const values = parsePkgsrcFetch(ANSWER);
  assert.ok(typeof values !== 'string', values as string);
  assert.equal(values.distinfoFile, '/usr/pkgsrc/misc/figlet/distinfo');
  assert.equal(values.distSubdir, 'figlet');
  assert.deepEqual(values.files, [
    { name: 'figlet/figlet-2.2.5.tar.gz', urls: [
      'http://mirror.example/d/figlet/figlet-2.2.5.tar.gz', 'ftp://ftp.figlet.org/pub/figlet/program/unix/figlet-2.2.5.tar.gz', 'http://backup.example/d/figlet/figlet-2.2.5.tar.gz',
    ] },
    { name: 'figlet/fix.diff', urls: [
      'http://mirror.example/d/figlet/fix.diff', 'http://patches.example/get?id=7&name=fix.diff', 'http://backup.example/d/figlet/fix.diff',
    ] },
  ], 'a "-" site is the whole URL; a backquoted command is no site');
});

/** The problem bmake's answer has, or '' when it has none. */
const problem = (output: string): string => {
  const values = parsePkgsrcFetch(output);
  return typeof values === 'string' ? values : '';
};

void test('a port with no distfiles has none; an answer of the wrong shape says so', () => {
  assert.deepEqual(parsePkgsrcFetch('/t/a/b/distinfo\n\n\n'), { distinfoFile: '/t/a/b/distinfo', distSubdir: '', files: [] });
  assert.match(problem('only\none\n'), /bmake gave 2 lines for 3 values/);
  assert.match(problem('d\n\nhttp://x/ kiln:file a\n'), /does not start with a file/);
  assert.match(problem('d\n\nkiln:file\n'), /no name/);
  assert.equal(PKGSRC_FETCH_QUERY.length, 3);
});

void test('--master-site-override comes first, with DIST_SUBDIR appended as pkgsrc does to MASTER_SITE_OVERRIDE', () => {
  const values = parsePkgsrcFetch(ANSWER);
  assert.ok(typeof values !== 'string');
  const files = withOverride(values, ['http://127.0.0.1:8080/mirror', 'http://mirror.example/d/']);
  assert.deepEqual(files[0]!.urls.slice(0, 3), [
    'http://127.0.0.1:8080/mirror/figlet/figlet-2.2.5.tar.gz', 'http://mirror.example/d/figlet/figlet-2.2.5.tar.gz', 'ftp://ftp.figlet.org/pub/figlet/program/unix/figlet-2.2.5.tar.gz',
  ], 'a URL given twice is tried once');
  const plain = withOverride({ distinfoFile: 'd', distSubdir: '', files: [{ name: 'a.tgz', urls: [] }] }, ['http://m/']);
  assert.deepEqual(plain[0]!.urls, ['http://m/a.tgz']);
});

void test('a site that is no URL gives none', () => {
  assert.equal(siteUrl('file:///etc/', 'passwd'), undefined);
  assert.equal(siteUrl('${MASTER_SITE_GNU}', 'a.tgz'), undefined);
  assert.equal(siteUrl('https://h/p/', 'sub/a.tgz'), 'https://h/p/a.tgz');
});
