// A remote host as one of pbulk's scan clients. A Portfile tree: each
// port's directory and the tree's shared files go to the host by content
// hash (each file once per host), its agent scans the port with kiln's own
// Portfile driver, and the pbulk-index blocks come back; a port whose scan
// sourced a file the host was not given is answered `elsewhere`. A pkgsrc
// tree is on the host already (made ready at connect, with the kit): the
// agent scans the port there with kiln's pkgsrc driver.

import { posix } from 'node:path';

import type { PkgPath } from '../core/model.js';
import { parseIndex } from '../core/formats/pbulk-index.js';
import type { HostScan, ScanHost } from '../ports/scan-pool.js';
import type { PortEntry } from './agent/protocol.js';
import type { RemoteScanOutcome, SshExecutor } from './ssh/ssh-executor.js';
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
    const inTree = await this.#o.executor.treeScan(pkgpath, this.#o.timeoutS ?? 120);
    if (inTree !== undefined) return answer(pkgpath, await this.#o.executor.scan(inTree, new Map(), signal), () => undefined);
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
    return answer(pkgpath, outcome, (index) => unsent(pkgpath, index, files));
  }
}

/** The host's answer for the pool: a scan error or a lost host means the port is scanned elsewhere, and so does a file `missing` names. */
function answer(pkgpath: PkgPath, outcome: RemoteScanOutcome, missing: (index: string) => string | undefined): HostScan {
  switch (outcome.kind) {
    case 'scanned': {
      const file = missing(outcome.index);
      return file === undefined
        ? { kind: 'scanned', pkgpath, index: outcome.index, seconds: outcome.seconds }
        : { kind: 'elsewhere', reason: `it sources ${file}, which the host was not given`, lost: false };
    }
    case 'error': return { kind: 'elsewhere', reason: outcome.error, lost: false };
    case 'lost': return { kind: 'elsewhere', reason: outcome.reason, lost: true };
  }
}

/**
 * A file the port's scan sourced (SCAN_DEPENDS, relative to the port) that
 * was not among the files sent: the host read nothing there, so its answer
 * may differ from the coordinator's.
 */
function unsent(pkgpath: PkgPath, index: string, files: readonly PortEntry[]): string | undefined {
  const sent = new Set(files.map((f) => f.path));
  for (const entry of parseIndex(index).entries) {
    for (const file of (entry.vars.get('SCAN_DEPENDS') ?? '').split(' ')) {
      if (file === '') continue;
      const path = posix.normalize(posix.join(pkgpath, file));
      if (!sent.has(path)) return path;
    }
  }
  return undefined;
}
