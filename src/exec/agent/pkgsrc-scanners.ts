// pkgsrc scans on this host, as pbulk's scan clients: kiln's own pkgsrc
// driver (the same bubblewrap sandbox a scan on the coordinator runs in) over
// the host's copy of the tree (tree-store.ts), the bootstrap kit unpacked
// once a session as the PREFIX the scans see. One driver per tree, kit and
// make; its tree variables are asked once, as on the coordinator. As on the
// coordinator, an agent running as root starts the scans as the build user.

import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PkgsrcDriver } from '../../ports/pkgsrc/pkgsrc-driver.js';
import { unpackKit } from '../../sandbox/bootstrap-kit.js';
import { copyPublicEtc } from '../../sandbox/pkgsrc-etc.js';
import { defaultSandboxConfig } from '../../sandbox/sandbox-config.js';
import type { BlobStore } from './blob-store.js';
import type { ScanSpec } from './protocol.js';
import type { TreeStore } from './tree-store.js';

export type PkgsrcScanSpec = Extract<ScanSpec, { kind: 'pkgsrc' }>;

export class PkgsrcScanners {
  readonly #drivers = new Map<string, Promise<PkgsrcDriver>>();
  readonly #made: string[] = [];

  constructor(private readonly root: string, private readonly store: BlobStore, private readonly trees: TreeStore) {}

  driver(spec: PkgsrcScanSpec, signal: AbortSignal): Promise<PkgsrcDriver> {
    const key = [spec.tree, spec.kit.hash, spec.kit.prefix, spec.make, spec.timeoutS].join(' ');
    let driver = this.#drivers.get(key);
    if (!driver) {
      driver = this.#open(spec, signal);
      this.#drivers.set(key, driver);
      driver.catch(() => this.#drivers.delete(key));
    }
    return driver;
  }

  async #open(spec: PkgsrcScanSpec, signal: AbortSignal): Promise<PkgsrcDriver> {
    const dir = await mkdtemp(join(this.root, 'scan-kit-'));
    this.#made.push(dir);
    await chmod(dir, 0o711); // the build user binds the kit and /etc from here
    await mkdir(join(dir, 'kit'));
    const failed = await unpackKit({ file: this.store.path(spec.kit.hash), prefix: spec.kit.prefix, sha256: spec.kit.hash }, join(dir, 'kit'));
    if (failed !== undefined) throw new Error(failed);
    const etc = join(dir, 'etc');
    await copyPublicEtc(etc);
    return PkgsrcDriver.open(this.trees.path(spec.tree), {
      make: spec.make, makeIdentity: spec.kit.hash, optionCache: true, etc, user: defaultSandboxConfig().buildUser,
      prefix: { dir: join(dir, 'kit', spec.kit.prefix), at: spec.kit.prefix }, timeoutS: spec.timeoutS,
    }, signal);
  }

  /** Removes the unpacked kits. */
  async close(): Promise<void> {
    await Promise.all(this.#made.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
