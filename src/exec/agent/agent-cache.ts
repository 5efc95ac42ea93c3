// The agent bundles a host keeps (`<root>/agent/<sha256>.mjs`, one per kiln
// version that ever reached it, and `.in<pid>` files of sends cut short)
// would pile up for ever. A running agent keeps its own file fresh (it
// starts its job runners from it), and removes the files nobody has used
// for a week: another version's agent still running touches its own file
// as well, so it is never taken from under it.

import { lstat, readdir, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** An agent file untouched this long is no longer used by any agent. */
export const UNUSED_AGENT_S = 7 * 86_400;
/** How often a running agent marks its own file as in use; far below UNUSED_AGENT_S. */
const FRESHEN_EVERY_S = 3600;

/** Removes from `agentFile`'s directory the files (never directories or what a link points to) untouched for `unusedS`; their names. */
export async function pruneAgents(agentFile: string, now = Date.now(), unusedS = UNUSED_AGENT_S): Promise<string[]> {
  const dir = dirname(agentFile);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    if (name === basename(agentFile)) continue;
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => undefined);
    if (stat === undefined || stat.isDirectory() || now - stat.mtimeMs < unusedS * 1000) continue;
    if (await unlink(path).then(() => true, () => false)) removed.push(name);
  }
  return removed;
}

/** Marks `agentFile` as in use now and every hour while the agent runs; then prunes the others. The stop function ends the marking. */
export function keepAgentFile(agentFile: string): () => void {
  const freshen = (): Promise<void> => utimes(agentFile, new Date(), new Date()).catch(() => undefined);
  void freshen().then(() => pruneAgents(agentFile)).catch(() => undefined);
  const timer = setInterval(() => void freshen(), FRESHEN_EVERY_S * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
