// The stores a build keeps in its run directory, chosen here (STYLE.md 8):
// the run's SQLite store and the build history kept in it. The run opens
// them once it holds the run directory's lock (runtime/run-session.ts).

import type { BuildStores } from '../runtime/run-session.js';
import { HistoryStore } from '../store/history-store.js';
import { RunStore } from '../store/run-store.js';

export function openBuildStores(logdir: string): BuildStores {
  const run = RunStore.open(logdir);
  return { run, history: new HistoryStore(run) };
}
