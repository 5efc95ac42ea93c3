import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compareVersions, versionOf } from './dewey.js';

// Versions below are real ones from the pkgsrc scans in ../shared/data.

const older = (a: string, b: string): void => {
  assert.equal(compareVersions(a, b), -1, `${a} < ${b}`);
  assert.equal(compareVersions(b, a), 1, `${b} > ${a}`);
};
const same = (a: string, b: string): void => {
  assert.equal(compareVersions(a, b), 0, `${a} == ${b}`);
  assert.equal(compareVersions(b, a), 0, `${b} == ${a}`);
};

test('numbers compare as numbers, not as text', () => {
  older('20.19.6', '22.21.1');
  older('9.1.1952', '10.0');
  older('1.33.4', '1.33.10');
  older('10.5.29nb2', '10.11.14');
});

test('nb revisions count only when everything else is equal', () => {
  older('9.1.1952', '9.1.1952nb1');
  older('9.1.1952nb7', '9.1.1952nb8');
  older('9.1.1952nb8', '9.1.1953');
  older('0.53nb2', '0.53.1');
});

test('alpha < beta < pre = rc < release < pl', () => {
  older('1.11alpha22', '1.11beta1');
  older('0.7.0beta2nb4', '0.7.0rc1');
  older('2.1.3rc5', '2.1.3');
  older('2.1.3rc5', '2.1.3rc5nb2');
  older('1.2.5pre2nb3', '1.2.5');
  same('5.0pre1', '5.0rc1');
  older('5.0.9', '5.0.9pl1nb7');
  older('0rc475', '0');
});

test('"1.2" is "1.2.0", leading zeros mean nothing, "_" and "pl" are dots', () => {
  same('1.2', '1.2.0');
  same('1.2', '1.2.0.0');
  same('1.13.06', '1.13.6');
  same('2009041301', '02009041301');
  same('3.7pl3', '3.7.3');
  same('1_2_3', '1.2.3');
});

test('a letter is a dot and its place in the alphabet, in either case', () => {
  same('1.2a', '1.2.1');
  same('1.2c', '1.2.3');
  same('1.2C', '1.2c');
  older('1.0.2z', '1.0.3');
  same('1.7.0ALPHA', '1.7.0alpha');
});

test('digit runs wrap like a C int, as in the compiled pkg_install', () => {
  // openrcs-20110824192219: 20110824192219 mod 2^32 is 1787312347.
  same('20110824192219', '1787312347');
  older('2147483646', '2147483647');
});

test('versionOf takes what follows the last dash', () => {
  assert.equal(versionOf('py313-gyp-0.1pre20210830.d6c5dd51nb2'), '0.1pre20210830.d6c5dd51nb2');
  assert.equal(versionOf('libnbcompat'), '');
});
