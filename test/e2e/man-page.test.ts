// kiln(1): renders cleanly and covers every command and the files people use.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { commands } from '../../src/cli/commands/index.js';

const PAGE = 'man/kiln.1';

void test('kiln(1) has no mdoc warnings (mandoc -T lint, or groff -ww where mandoc is missing)', () => {
  const mandoc = spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', PAGE], { encoding: 'utf8' });
  if (mandoc.error === undefined) {
    assert.equal(mandoc.stdout + mandoc.stderr, '');
    assert.equal(mandoc.status, 0);
  } else {
    const groff = spawnSync('groff', ['-mdoc', '-ww', '-z', PAGE], { encoding: 'utf8' });
    assert.equal(groff.stderr, '');
    assert.equal(groff.status, 0);
  }
});

void test('kiln(1) covers every command, its options, the hosts file, the run directory and the stop files', () => {
  const source = readFileSync(PAGE, 'utf8');
  const rendered = execFileSync('groff', ['-mdoc', '-Tutf8', '-P-c', PAGE], { encoding: 'utf8' }).replace(/.\u0008/g, '');
  for (const name of ['build', 'scan', 'resolve', 'simulate', 'status', 'stop', 'serve', ...commands.map((c) => c.name)]) {
    assert.match(source, new RegExp(`^\\.It Cm ${name}$`, 'm'), `command ${name}`);
  }
  for (const command of commands) {
    for (const option of command.help.matchAll(/--[a-z-]+/g)) assert.ok(rendered.includes(option[0]), `${command.name} ${option[0]}`);
  }
  for (const section of ['HOSTS FILE', 'RUN DIRECTORY', 'TERMINAL DISPLAY', 'WEB PAGE', 'FAILURE CLASSES', 'HOOKS', 'EXIT STATUS']) {
    assert.match(rendered, new RegExp(`^${section}$`, 'm'));
  }
  for (const file of ['report.json', 'report.txt', 'report.html', 'build.log', 'engine.log', 'stop-host', 'NO_COLOR', 'KILN_BREAKS']) {
    assert.ok(rendered.includes(file), file);
  }
  assert.match(rendered, /^ {5}stop {4}No new job starts anywhere/m);
});

void test('kiln(1) lists every exit status a command\'s --help gives, and every command\'s --help gives its exit statuses', () => {
  const rendered = execFileSync('groff', ['-mdoc', '-Tutf8', '-P-c', PAGE], { encoding: 'utf8' }).replace(/.\u0008/g, '');
  const section = /^EXIT STATUS\n([\s\S]*?)\n[A-Z][A-Z ]+\n/m.exec(rendered)?.[1] ?? '';
  const listed = new Set([...section.matchAll(/^ {5}([0-9]+) +\S/gm)].map((m) => Number(m[1])));
  for (const status of [0, 1, 2, 3, 4, 5, 70, 130]) assert.ok(listed.has(status), `kiln(1) lists exit status ${status}`);
  for (const command of commands) {
    const text = /exit status: ([\s\S]*)$/.exec(command.help)?.[1];
    assert.ok(text !== undefined, `${command.name} --help has its exit statuses`);
    const given = [...text.matchAll(/(?:^|[;:]\s*)([0-9]+) /g)].map((m) => Number(m[1]));
    assert.ok(given.includes(2) && given.includes(4) && given.includes(70), `${command.name}: ${given.join(' ')}`);
    for (const status of given) assert.ok(listed.has(status), `${command.name} --help gives ${status}, kiln(1) does not list it`);
  }
});
