import assert from 'node:assert/strict';
import { test } from 'node:test';

import { quoteReason, shellWords, unquoteReason } from './make-quote.js';

// Reasons below are real PKG_SKIP_REASON / PKG_FAIL_REASON values of the
// SmartOS scan in ../shared/data, as the index writes them.

test('one quoted reason becomes its text', () => {
  assert.equal(unquoteReason('"Platform does not support Wayland"'), 'Platform does not support Wayland');
  assert.equal(unquoteReason('"Couldn\'t find fuse headers, please install libfuse."'), "Couldn't find fuse headers, please install libfuse.");
});

test('a list of quoted reasons reads as one sentence', () => {
  assert.equal(unquoteReason('"[bsd.pkg.mk] zyGrib-8.0.1nb48 is marked as broken:" "uses now-removed proj API"'),
    '[bsd.pkg.mk] zyGrib-8.0.1nb48 is marked as broken: uses now-removed proj API');
  assert.equal(unquoteReason('"Accepted versions are: emacs21 emacs21nox" "No valid Emacs version installed found"'),
    'Accepted versions are: emacs21 emacs21nox; No valid Emacs version installed found');
  assert.equal(unquoteReason('"x11-links-1.36 should only be used with X11_TYPE=native." "Do not include x11.buildlink3.mk for X11_TYPE != \\"native\\"."'),
    'x11-links-1.36 should only be used with X11_TYPE=native. Do not include x11.buildlink3.mk for X11_TYPE != "native".');
});

test("make's :Q form (backslashes before specials) is undone", () => {
  assert.equal(unquoteReason("Couldn\\'t\\ find\\ fuse\\ headers"), "Couldn't find fuse headers");
  assert.deepEqual(shellWords("a\\ b 'c d' \"e\\\\f\""), [{ text: 'a b', quoted: false }, { text: 'c d', quoted: true }, { text: 'e\\f', quoted: true }]);
});

test('quoteReason gives back what unquoteReason reads', () => {
  for (const text of ['dependency cycle: a-1 -> b-1 -> a-1', 'say "hi" \\ $HOME `x`']) {
    assert.equal(unquoteReason(quoteReason(text)), text);
  }
});
