import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FrameReader, FrameWriter, MAX_BODY, type Frame } from './frames.js';

function wire(...frames: Array<[object, Buffer?]>): Buffer {
  return Buffer.concat(frames.flatMap(([h, b]) => [Buffer.from(JSON.stringify(b ? { ...h, bytes: b.length } : h) + '\n'), b ?? Buffer.alloc(0)]));
}

function readAll(bytes: Buffer, cut: (i: number) => boolean): { frames: Frame[]; errors: string[] } {
  const frames: Frame[] = [];
  const errors: string[] = [];
  const reader = new FrameReader((f) => frames.push(f), (e) => errors.push(e));
  let start = 0;
  for (let i = 1; i <= bytes.length; i++) {
    if (i === bytes.length || cut(i)) {
      reader.push(bytes.subarray(start, i));
      start = i;
    }
  }
  return { frames, errors };
}

void test('frames survive being cut at every byte', () => {
  const body = Buffer.from([0, 10, 13, 255, 10, 10, 123, 125]);
  const bytes = wire([{ t: 'a' }], [{ t: 'log', id: 1 }, body], [{ t: 'empty' }, Buffer.alloc(0)], [{ t: 'z', s: 'é\n' }]);
  for (let step = 1; step <= bytes.length; step++) {
    const { frames, errors } = readAll(bytes, (i) => i % step === 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(frames.map((f) => f.header['t']), ['a', 'log', 'empty', 'z'], `step ${step}`);
    assert.ok(frames[1]?.body.equals(body));
    assert.equal(frames[2]?.body.length, 0);
    assert.equal(frames[3]?.header['s'], 'é\n');
  }
});

void test('garbage is an error, and nothing is read after it', () => {
  for (const [bad, why] of [
    ['not json\n{"t":"x"}\n', /not JSON/],
    ['[1,2]\n', /not a JSON object/],
    ['{"bytes":-1}\n', /bad byte count/],
    ['{"bytes":1.5}\n', /bad byte count/],
    [`{"bytes":${MAX_BODY + 1}}\n`, /bad byte count/],
  ] as const) {
    const { frames, errors } = readAll(Buffer.from(bad), () => false);
    assert.equal(frames.length, 0, bad);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', why);
  }
});

void test('FrameWriter writes line and bytes together and waits for the stream to drain', async () => {
  const stream = new PassThrough({ highWaterMark: 16 });
  const writer = new FrameWriter(stream);
  const frames: Frame[] = [];
  const reader = new FrameReader((f) => frames.push(f), (e) => assert.fail(e));
  let drained = false;
  const sent = writer.send({ t: 'chunk' }, Buffer.alloc(1000, 7)).then(() => { drained = true; });
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false, 'waits while the reader has not read');
  stream.on('data', (b: Buffer) => reader.push(b));
  await sent;
  await writer.send({ t: 'after' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(frames.map((f) => [f.header['t'], f.body.length]), [['chunk', 1000], ['after', 0]]);
});
