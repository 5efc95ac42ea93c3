import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bestMatch, expandAlternatives, pkgMatch, pkgOrder } from './pattern.js';

// Patterns and pkgnames below are real ones from ../shared/data's scans.

const matches = (pattern: string, yes: string[], no: string[]): void => {
  for (const name of yes) assert.equal(pkgMatch(pattern, name), true, `${pattern} matches ${name}`);
  for (const name of no) assert.equal(pkgMatch(pattern, name), false, `${pattern} does not match ${name}`);
};

test('dewey patterns compare the version of exactly that name', () => {
  matches('perl>=5.36', ['perl-5.42.0nb1', 'perl-5.36'], ['perl-5.34.1', 'perl5-5.42.0', 'p5-perl-5.40', 'perl']);
  matches('cwrappers>=20150314', ['cwrappers-20220403'], ['cwrappers-20150313']);
  matches('mariadb-client>=10.5.21nb1', ['mariadb-client-10.5.21nb1', 'mariadb-client-10.5.29nb2'], ['mariadb-client-10.5.21']);
  matches('emacs21-nox11<22', ['emacs21-nox11-21.4nb5'], ['emacs21-nox11-22.0']);
  matches('foo<=1.2', ['foo-1.2', 'foo-1.2.0', 'foo-1.1'], ['foo-1.2nb1']);
  matches('foo>1.2', ['foo-1.2nb1', 'foo-1.2.1'], ['foo-1.2', 'foo-1.2.0']);
});

test('>=x<y is a range: both bounds hold', () => {
  matches('ap24-php83>=8.3.29<8.4', ['ap24-php83-8.3.29', 'ap24-php83-8.3.30nb1'], ['ap24-php83-8.4.0', 'ap24-php83-8.4', 'ap24-php83-8.3.28']);
  matches('cmake39>=0<3.10', ['cmake39-3.9.6'], ['cmake39-3.10']);
  matches('ansible-core>=2.20.1<2.21', ['ansible-core-2.20.1', 'ansible-core-2.20.9'], ['ansible-core-2.21.0', 'ansible-core-2.20.0']);
  // pre-releases of the upper bound are below it
  matches('SOPE>=5.11.2<6', ['SOPE-6.0rc1'], ['SOPE-6.0']);
});

test('globs: *, ?, sets and ranges; * crosses dashes', () => {
  matches('nodejs-[0-9]*', ['nodejs-25.2.1', 'nodejs-20.19.6'], ['nodejs-lts-20', 'nodejs']);
  matches('py*-cairosvg-[0-9]*', ['py314-cairosvg-2.8.2'], ['py314-cairosvg-doc']);
  matches('tex-?-[0-9]*', ['tex-a-1'], ['tex-ab-1']);
  matches('foo-[!0-9]*', ['foo-bar'], ['foo-1']);
  matches('foo-[^0-9]*', ['foo-bar'], ['foo-1']);
  matches('foo-[]x]', ['foo-]', 'foo-x'], ['foo-y']);
  matches('foo-[0-9', ['foo-[0-9'], ['foo-1']);
  matches('foo-\\*', ['foo-*'], ['foo-1']);
  matches('*-[0-9]*', ['foo-bar-1.0'], ['.hidden-1.0']);
});

test('exact names match only themselves', () => {
  matches('libnbcompat-20251029', ['libnbcompat-20251029'], ['libnbcompat-20251029nb1']);
});

test('csh alternatives, nested and empty, each matched on its own', () => {
  assert.deepEqual(expandAlternatives('boost-libs-1.90{,nb*,.*}'), ['boost-libs-1.90', 'boost-libs-1.90nb*', 'boost-libs-1.90.*']);
  assert.deepEqual(expandAlternatives('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
  assert.deepEqual(expandAlternatives('{a,b'), undefined);
  matches('boost-libs-1.90{,nb*,.*}', ['boost-libs-1.90', 'boost-libs-1.90nb2', 'boost-libs-1.90.0'], ['boost-libs-1.91', 'boost-libs-1.9']);
  matches('dovecot>=2.3.21.1{nb*,}', ['dovecot-2.3.21.1', 'dovecot-2.3.21.1nb3', 'dovecot-2.4.1'], ['dovecot-2.3.21']);
  matches('{ucspi-tcp6>=1.10.7nb1,ucspi-tcp-[0-9]*}', ['ucspi-tcp6-1.13.06', 'ucspi-tcp-0.88nb6'], ['ucspi-tcp6-1.10.7']);
  matches('w3m{,-img}>=0.5.1nb2', ['w3m-0.5.3.0.20230121nb8', 'w3m-img-0.5.3.0.20230121nb3'], ['w3m-0.5.1', 'w3m-extra-1']);
  matches('php56-{mysql,pgsql}-[0-9]*', ['php56-mysql-5.6.33', 'php56-pgsql-5.6.33'], ['php56-sqlite-5.6.33']);
  matches('{a,b', [], ['a', 'b', '{a,b']);
});

test('pkg_order: the newer version, then the pkgname that sorts last', () => {
  assert.equal(pkgOrder('vim-9.1.1952', 'vim-gtk3-9.1.1952nb8'), 'vim-gtk3-9.1.1952nb8');
  assert.equal(pkgOrder('mpg123-nas-1.33.4', 'mpg123-1.33.4'), 'mpg123-nas-1.33.4');
  assert.equal(pkgOrder('mpg123-1.33.4', 'mpg123-nas-1.33.4'), 'mpg123-nas-1.33.4');
  // equal in dewey order, different as text: strcmp decides
  assert.equal(pkgOrder('foo-1.0', 'foo-1.0.0'), 'foo-1.0.0');
});

// pbulk-resolve's own choices on the SmartOS scan (presolve.gz): pattern,
// the pkgname pbulk chose, and the other pkgnames of the scan it matches.
const SMARTOS_CHOICES = `
mpg123{,-esound,-nas}>=0.59.18	mpg123-nas-1.33.4	mpg123-1.33.4
xemacs{,-nox11}>=21.1.14	xemacs-nox11-21.5.36	xemacs-21.4.25	xemacs-21.5.36	xemacs-nox11-21.4.25
py*-cairosvg-[0-9]*	py314-cairosvg-2.8.2	py313-cairosvg-2.8.2	py312-cairosvg-2.8.2	py311-cairosvg-2.8.2
{bacula,bacula-clientonly}>=3.0.1nb1	bacula-clientonly-15.0.3nb1	bacula-15.0.3nb1
{xterm,mxterm}-[0-9]*	xterm-406	mxterm-129nb4
{ezmlm>=0.53,ezmlm-idx>=0.40}	ezmlm-idx-7.2.2nb26	ezmlm-0.53nb2
{ucspi-tcp6-[0-9]*,ucspi-tcp-[0-9]*}	ucspi-tcp6-1.13.06	ucspi-tcp-0.88nb6
vim{,-gtk2,-gtk3,-motif,-xaw}>=7.0	vim-gtk3-9.1.1952nb8	vim-9.1.1952	vim-gtk2-9.1.1952nb7	vim-motif-9.1.1952nb1
w3m{,-img}>=0.5.1nb2	w3m-0.5.3.0.20230121nb8	w3m-img-0.5.3.0.20230121nb3
nodejs-[0-9]*	nodejs-25.2.1	nodejs-20.19.6	nodejs-22.21.1	nodejs-24.12.0
asterisk>=19	asterisk-23.1.0	asterisk-19.8.1nb15	asterisk-20.10.0nb12	asterisk-21.12.0	asterisk-22.7.0
`;

test('best match agrees with pbulk-resolve on real multi-candidate patterns, in any order', () => {
  for (const line of SMARTOS_CHOICES.trim().split('\n')) {
    const [pattern, chosen, ...others] = line.split('\t') as [string, string, ...string[]];
    const all = [chosen, ...others];
    assert.equal(bestMatch(pattern, all), chosen, pattern);
    assert.equal(bestMatch(pattern, [...all].reverse()), chosen, `${pattern}, reversed`);
    assert.equal(bestMatch(pattern, ['unrelated-1.0', `${chosen}x-1`.replace(/^/, 'x')]), undefined);
  }
});
