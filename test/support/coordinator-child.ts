// A stand-in coordinator in its own process, for "the coordinator is killed"
// tests: it connects to one host, starts one job, prints one JSON line
// ({"running": true, "master": pid, "session": pid}) once the job builds,
// and waits to be killed. Without arguments (as when the test runner loads
// every file under test/) it does nothing.

import { SshExecutor } from '../../src/exec/ssh/ssh-executor.js';
import { jobFor, recordingWatcher } from './fixture-tree.js';

const [destination, sshConfig, tree, out, pkgpath] = process.argv.slice(2);

async function main(): Promise<void> {
  if (destination === undefined || sshConfig === undefined || tree === undefined || out === undefined || pkgpath === undefined) return;
  const executor = new SshExecutor({ destination, sshConfig });
  const connected = await executor.connect(new AbortController().signal);
  if (!connected.ok) throw new Error(connected.reason);
  const watcher = recordingWatcher();
  void executor.run(jobFor(tree, out, pkgpath, 'child-1.0'), watcher, new AbortController().signal);
  await watcher.reached('build');
  process.stdout.write(JSON.stringify({ running: true, ...(await executor.sshPids()) }) + '\n');
  setInterval(() => undefined, 60_000); // until killed
}

await main();
