// The agent bundle the build makes with esbuild (`npm run build:agent`):
// one file, shipped to each host once and cached there by its sha256.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface AgentBundle {
  readonly path: string;
  readonly bytes: Buffer;
  readonly hash: string;
}

/** Where the build puts the bundle, beside the compiled agent sources. */
export const DEFAULT_AGENT_BUNDLE = fileURLToPath(new URL('../agent/kiln-agent.mjs', import.meta.url));

const cache = new Map<string, Promise<AgentBundle>>();

export function loadAgentBundle(path: string = DEFAULT_AGENT_BUNDLE): Promise<AgentBundle> {
  let loaded = cache.get(path);
  if (!loaded) {
    loaded = readFile(path).then(
      (bytes) => ({ path, bytes, hash: createHash('sha256').update(bytes).digest('hex') }),
      (err: unknown) => {
        cache.delete(path);
        throw new Error(`the agent bundle ${path} is missing (run \`npm run build\`): ${(err as Error).message}`);
      },
    );
    cache.set(path, loaded);
  }
  return loaded;
}
