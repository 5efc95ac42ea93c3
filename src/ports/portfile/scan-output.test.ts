import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseScanOutput } from './scan-output.js';
import { PORTFILE_VARIABLES } from './scan-program.js';

const record = (...fields: string[]): string => fields.map((field) => field + '\0').join('');
const unsetAll = (): string => [...PORTFILE_VARIABLES, '__kiln_sourced'].map((name) => record(name, 'unset', '0')).join('');

void test('reads values exactly as bash printed them, newlines and all', () => {
  const text = record('kiln-scan-1', 'status', '0') + unsetAll().replace(record('PKGNAME', 'unset', '0'), record('PKGNAME', 'scalar', '1', 'a-1\n$(x)'))
    .replace(record('DEPENDS', 'unset', '0'), record('DEPENDS', 'array', '2', 'b:../../c/b', ''))
    + record('end');
  const output = parseScanOutput(Buffer.from(text));
  assert.ok(!('error' in output));
  assert.deepEqual(output.values.get('PKGNAME'), { kind: 'scalar', value: 'a-1\n$(x)' });
  assert.deepEqual(output.values.get('DEPENDS'), { kind: 'array', values: ['b:../../c/b', ''] });
});

void test('output that is empty, cut short, out of order or goes on past its end is an error', () => {
  const good = record('kiln-scan-1', 'status', '0') + unsetAll() + record('end');
  assert.ok(!('error' in parseScanOutput(Buffer.from(good))));
  for (const bad of ['', good.slice(0, good.length - 5), good + 'PKGNAME=forged\n', good.replace('COMMENT', 'COMMENTS'),
    record('kiln-scan-1', 'status', 'x') + unsetAll() + record('end'), good.replace(record('LICENSE', 'unset', '0'), record('LICENSE', 'array', '99'))]) {
    assert.ok('error' in parseScanOutput(Buffer.from(bad)), JSON.stringify(bad.slice(0, 60)));
  }
});
