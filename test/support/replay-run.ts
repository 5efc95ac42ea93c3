// Replays the sample run in real processes, faster than it happened:
//   node replay-run.js terminal SPEED          the terminal view on stdout
//   node replay-run.js record LOGDIR SPEED     the events into LOGDIR's run store
// Event times are moved so the run starts now; SPEED run-seconds pass per
// real second. With KILN_WRITES set, `terminal` also notes the time of each
// write to stdout there, one per line, so a test can count redraws. With
// KILN_WIDE set, every pkgpath ends in wide characters (CJK and an emoji),
// as port metadata may.

import { appendFileSync, mkdirSync } from 'node:fs';

import type { RunEvent, RunEventSink } from '../../src/core/run-events.js';
import { TerminalReporter } from '../../src/report/sinks/terminal-reporter.js';
import { RunStore } from '../../src/store/run-store.js';
import { eventTime, RUN_START, sampleRun } from './sample-run.js';

export function shifted(event: RunEvent, by: number): RunEvent {
  if (event.type === 'status') return { ...event, change: { ...event.change, at: event.change.at + by } };
  if (event.type === 'job-started' || event.type === 'job-ended') {
    return { ...event, at: event.at + by, job: { ...event.job, startedAt: event.job.startedAt + by } };
  }
  return { ...event, at: event.at + by };
}

/** The same event with `日本語🔥` after each pkgpath: two columns a character on a terminal. */
export function widened(event: RunEvent): RunEvent {
  const wide = (pkgpath: string): string => `${pkgpath}-日本語🔥`;
  if (event.type === 'resolved') return { ...event, entries: event.entries.map((e) => ({ ...e, pkgpath: wide(e.pkgpath) })) };
  if (event.type === 'job-started' || event.type === 'job-ended') return { ...event, job: { ...event.job, pkgpath: wide(event.job.pkgpath) } };
  return event;
}

async function replay(sink: RunEventSink, speed: number, clockShift: (shift: number) => void): Promise<void> {
  const startReal = Date.now() / 1000;
  const shift = Math.floor(startReal) - RUN_START;
  clockShift(shift);
  for (const event of sampleRun()) {
    const due = startReal + (eventTime(event) - RUN_START) / speed;
    const wait = due - Date.now() / 1000;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait * 1000));
    sink.emit(shifted(process.env['KILN_WIDE'] ? widened(event) : event, shift));
  }
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'terminal') {
  const speed = Number(a ?? '400');
  const notes = process.env['KILN_WRITES'];
  let shift = 0;
  const startReal = Date.now() / 1000;
  const out = {
    isTTY: process.stdout.isTTY, columns: process.stdout.columns,
    write(text: string): boolean {
      if (notes) appendFileSync(notes, `${Date.now()}\n`);
      return process.stdout.write(text);
    },
  };
  // The reporter's clock runs at the replay's speed, so elapsed times look as they would.
  const reporter = new TerminalReporter({
    out, env: process.env, clock: () => RUN_START + shift + (Date.now() / 1000 - startReal) * speed,
  });
  await replay(reporter, speed, (s) => { shift = s; });
  reporter.close();
} else if (mode === 'record' && a !== undefined) {
  mkdirSync(a, { recursive: true });
  const store = RunStore.open(a);
  const run = store.beginRun(Date.now() / 1000, '[]').id;
  await replay({ emit: (event) => store.appendEvents(run, [event]) }, Number(b ?? '400'), () => undefined);
  store.close();
}
