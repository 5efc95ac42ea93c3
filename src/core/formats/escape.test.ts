import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeControls } from './escape.js';

void test('controls, C1 and bidi controls are shown as escapes; other text stays as it is', () => {
  assert.equal(escapeControls('a\u001b]0;x\u0007 caf\u00e9 \u0085 evil\u202etxt'), 'a\\x1b]0;x\\x07 café \\x85 evil\\u202etxt');
  assert.equal(escapeControls('one\ntwo\tthree'), 'one\\x0atwo\\x09three');
  assert.equal(escapeControls('one\ntwo\tthree\r', { short: true }), 'one\\ntwo\\tthree\\r');
});

void test('raw bytes show every byte that is not printable ASCII, and the backslash, as \\xHH', () => {
  assert.equal(escapeControls(Buffer.from([0x6e, 0x2f, 0xff, 0xfe, 0x0a, 0x5c, 0x41])), 'n/\\xff\\xfe\\x0a\\x5cA');
});
