// A remote host as one of pbulk's scan clients for a Portfile tree: each
// port's directory and the tree's shared files go to the host by content
// hash (each file once per host), its agent scans the port with kiln's own
// Portfile driver, and the pbulk-index blocks come back.

import type { PkgPath } from '../core/model.js';
import type { HostScan, ScanHost } from '../ports/scan-pool.js';
import type { PortEntry } from './agent/protocol.js';
import type { SshExecutor } from './ssh-executor.js';
import { FileHasher } from './ssh/file-hasher.js';
import { portManifest } from './ssh/port-manifest.js';
import { TreeShare } from './ssh/tree-share.js';

export interface SshScanHostOptions {
  readonly executor: SshExecutor;
  /** The tree on the coordinator. */
  readonly tree: string;
  readonly slots: number;
  /** A scan still running after this long is killed on the host. */
  readonly timeoutS?: number;
  /** The tree's shared files, found once for every host of a run. */
  readonly share?: TreeShare;
}

export class SshScanHost implements ScanHost {
  readonly name: string;
  readonly slots: number;
  readonly #o: SshScanHostOptions;
  readonly #hasher = new FileHasher();
  readonly #share: TreeShare;

  constructor(options: SshScanHostOptions) {
    this.#o = options;
    this.name = options.executor.host;
    this.slots = options.slots;
    this.#share = options.share ?? new TreeShare(options.tree, this.#hasher);
  }

  async scanPort(pkgpath: PkgPath, signal: AbortSignal): Promise<HostScan> {
    const connected = await this.#o.executor.connect(signal);
    if (!connected.ok) return { kind: 'elsewhere', reason: connected.reason, lost: true };
    const manifest = await portManifest(this.#o.tree, pkgpath, this.#hasher);
    if (!manifest.ok) return { kind: 'elsewhere', reason: manifest.reason, lost: false };
    const shared = await this.#share.files();
    const files: PortEntry[] = [
      { kind: 'dir', path: pkgpath },
      ...manifest.entries.map((e) => ({ ...e, path: `${pkgpath}/${e.path}` })),
      ...shared.entries,
    ];
    const sources = new Map([...shared.sources, ...manifest.files]);
    const outcome = await this.#o.executor.scan({ kind: 'portfile', pkgpath, files, timeoutS: this.#o.timeoutS ?? 30 }, sources, signal);
    switch (outcome.kind) {
      case 'scanned': return { kind: 'scanned', pkgpath, index: outcome.index, seconds: outcome.seconds };
      case 'error': return { kind: 'elsewhere', reason: outcome.error, lost: false };
      case 'lost': return { kind: 'elsewhere', reason: outcome.reason, lost: true };
    }
  }
}
