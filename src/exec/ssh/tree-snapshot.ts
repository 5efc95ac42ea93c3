// A pkgsrc tree as it goes to the build hosts: every file by content hash
// (version control, distfiles/, packages/ and ports' work directories left
// behind), listed in a manifest whose own hash names the tree's revision.
// pkgsrc's make reaches all over the tree at build time (a dependency's
// directory must exist, mk/ runs scripts from sysutils/install-sh), so a
// host gets the whole tree, once per revision: a file already on the host
// from an earlier revision is not sent again. Made once per run, for all
// hosts; a port's own files still travel fresh with each job. The files'
// hashes are kept in the run directory, so a later run reads only the files
// that changed (pkgsrc-2017Q4 here: 8-10 s, then 4.5 s).

import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortEntry } from '../agent/protocol.js';
import type { FileHasher } from './file-hasher.js';
import { treeDirManifest } from './port-manifest.js';

export interface TreeManifest {
  /** sha256 of the manifest file: the tree's revision. */
  readonly hash: string;
  /** The manifest on the coordinator: a JSON list of port entries. */
  readonly file: string;
  readonly entries: number;
  readonly bytes: number;
  /** The file on the coordinator behind each hash the manifest names. */
  readonly sources: ReadonlyMap<string, string>;
}

/** pkgsrc-2017Q4 has 96,000 files in 20,000 directories; the agent takes a manifest of up to a million. */
const MAX_TREE_ENTRIES = 1_000_000;
/** Left out wherever they are. */
const SKIP = new Set(['CVS', '.git', '.svn', '.hg']);
/** Left out at the top of the tree: what pkgsrc writes there. */
const TOP_SKIP = new Set(['distfiles', 'packages']);

export class TreeSnapshot {
  #made: Promise<TreeManifest> | undefined;
  #dir: string | undefined;

  /** `hashes`: where the files' hashes are kept between runs. */
  constructor(readonly tree: string, private readonly hasher: FileHasher, private readonly hashes?: string) {}

  /** The manifest, made on first use (a walk and a hash of the whole tree). */
  manifest(): Promise<TreeManifest> {
    this.#made ??= this.#make();
    return this.#made;
  }

  /** Removes the manifest file. */
  async close(): Promise<void> {
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }

  async #make(): Promise<TreeManifest> {
    if (this.hashes !== undefined) await this.hasher.load(this.hashes);
    const walked = await treeDirManifest(this.tree, '.', this.hasher, { what: 'tree', skip: SKIP, keep, maxEntries: MAX_TREE_ENTRIES });
    if (!walked.ok) throw new Error(walked.reason);
    // Only a saving for the next run: a full disk must not keep the hosts from this one.
    if (this.hashes !== undefined) await this.hasher.save(this.hashes, await realpath(this.tree)).catch(() => undefined);
    const entries: PortEntry[] = [...walked.entries];
    const dir = await mkdtemp(join(tmpdir(), 'kiln-tree-'));
    this.#dir = dir;
    const file = join(dir, 'manifest.json');
    await writeFile(file, JSON.stringify(entries));
    const { hash } = await this.hasher.hash(file);
    const bytes = entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.size : 0), 0);
    return { hash, file, entries: entries.length, bytes, sources: new Map([...walked.files, [hash, file]]) };
  }
}

/** Whether a path of the tree goes to the hosts: not distfiles/ or packages/ at the top, nor a port's work directory. */
function keep(path: string): boolean {
  const parts = path.split('/');
  if (parts.length === 1) return !TOP_SKIP.has(parts[0]!);
  return !(parts.length === 3 && (parts[2] === 'work' || parts[2]!.startsWith('work.')));
}
