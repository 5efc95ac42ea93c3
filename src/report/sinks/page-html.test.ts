import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Script } from 'node:vm';

import { pageCsp, pageHtml, pageScript, scriptJson } from './page-html.js';

void test('the page\'s script is one self-contained script that parses and cannot end its script element early', () => {
  const script = pageScript();
  assert.doesNotThrow(() => new Script(script));
  assert.doesNotMatch(script, /^\s*(import|export)\s/m, 'bundled: no module syntax left');
  assert.doesNotMatch(script, /<\/script/i);
  assert.ok(pageHtml().includes(`<script>${script}</script>`));
});

void test('report.html embeds the run\'s data where no value can end the script element, under a policy allowing only the page\'s script', () => {
  const hostile = JSON.stringify({ pkgname: '</script><script>alert(1)</script>', text: 'a\u2028b & c' });
  const html = pageHtml(hostile);
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'the data\'s and the script\'s own end tags only');
  assert.deepEqual(JSON.parse(scriptJson(hostile)), JSON.parse(hostile));
  assert.match(pageCsp(false), /connect-src 'none'/);
  assert.match(pageCsp(true), /connect-src 'self'/);
});
