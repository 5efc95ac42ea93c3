import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { test } from 'node:test';

import { takeTokens } from '../../test/support/token-pipe.js';
import { Jobserver } from './jobserver.js';

void test('jobserver (looks by hand): shares first, freed tokens move to the job still running, kept and forged tokens count only for their job', () => {
  const server = new Jobserver(6, 3_600_000);
  try {
    const a = server.join(3, 1)!;
    assert.equal(a.makeflags(7), ' -j6 --jobserver-auth=7,7');
    // Alone, a's make has its implicit token and the other 5 in its pipe.
    assert.equal(takeTokens(a.fd), 5);
    const b = server.join(3, 9)!;
    server.look();
    assert.equal(takeTokens(b.fd), 0, 'a holds every token: b runs on its implicit one');
    // Three of a's sub-jobs end: the tokens go back to b, to its share (3 make jobs), not beyond.
    writeSync(a.fd, Buffer.alloc(3, 0x2b));
    server.look();
    assert.equal(takeTokens(b.fd), 2);
    assert.deepEqual(server.holdings(), [3, 3], 'each at its share, a with its 2 busy tokens');

    // a ends: its cores go to b, which uses everything it has.
    assert.equal(a.leave(), 6);
    assert.equal(takeTokens(b.fd), 3, 'b gets the tokens a freed');
    assert.deepEqual(server.holdings(), [6]);

    // b keeps its 5 tokens; a new job c still gets what is free now (nothing), and b's tokens when b leaves.
    const c = server.join(2, 5)!;
    assert.equal(takeTokens(c.fd), 0, 'b holds every token; c runs on its implicit one');
    // A build writing tokens of its own makes nothing: the bytes are thrown away at the next look.
    writeSync(c.fd, Buffer.alloc(40, 0x2b));
    server.look();
    assert.equal(takeTokens(c.fd), 0, 'forged tokens are taken out, none handed back');
    assert.equal(b.leave(), 6);
    assert.equal(takeTokens(c.fd), 5, 'c now has the host: its share and the rest');
    c.leave();
  } finally {
    server.close();
  }
});
