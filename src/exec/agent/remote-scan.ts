// The agent's side of one scan (pbulk's scan client). A Portfile scan: once
// the files it needs are in the cache, it lays out the port's directory and
// the tree's shared files under a directory of its own, scans the port there
// with the same Portfile driver kiln runs locally (in the same bubblewrap
// sandbox, started as the build user when the agent is root, so that a
// Portfile cannot read the host's root-only files into its metadata), and
// sends the pbulk-index blocks back; the directory goes when
// it ends. A pkgsrc scan lays out nothing: it runs kiln's pkgsrc driver over
// the host's copy of the tree (pkgsrc-scanners.ts).

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { unreachable } from '../../core/unreachable.js';
import type { TreeDriver } from '../../ports/driver.js';
import { PortfileDriver } from '../../ports/portfile/portfile-driver.js';
import { defaultSandboxConfig } from '../../sandbox/sandbox-config.js';
import type { FrameWriter } from './frames.js';
import type { HostWork } from './host-work.js';
import { checkEntries, layOutFiles } from './job-dir.js';
import type { ScanSpec } from './protocol.js';
import { isSafePkgPath } from './safe-path.js';
import type { BlobStore } from './blob-store.js';
import type { PkgsrcScanners } from './pkgsrc-scanners.js';

type WireResult =
  | { readonly kind: 'scanned'; readonly index: string; readonly seconds: number }
  | { readonly kind: 'error'; readonly error: string; readonly seconds: number };

/** Why a scan cannot be laid out safely, or undefined. */
export function checkScanSpec(spec: ScanSpec): string | undefined {
  if (!isSafePkgPath(spec.pkgpath)) return `bad pkgpath ${JSON.stringify(spec.pkgpath)}`;
  return spec.kind === 'portfile' ? checkEntries(spec.files, 'tree') : undefined;
}

export class RemoteScan implements HostWork {
  readonly ended: Promise<void>;
  readonly #missing: Set<string>;
  readonly #stop = new AbortController();
  #resolveEnded: () => void = () => undefined;
  #started = false;
  #done = false;

  constructor(
    private readonly id: number,
    private readonly dir: string,
    private readonly spec: ScanSpec,
    missing: readonly string[],
    private readonly writer: FrameWriter,
    private readonly store: BlobStore,
    private readonly pkgsrc: PkgsrcScanners,
  ) {
    this.#missing = new Set(missing);
    this.ended = new Promise((r) => { this.#resolveEnded = r; });
  }

  arrived(hash: string): void {
    if (this.#missing.delete(hash)) this.kick();
  }

  unavailable(hash: string, reason: string): void {
    if (this.#missing.has(hash)) void this.#finish({ kind: 'error', error: reason, seconds: 0 });
  }

  kick(): void {
    if (this.#missing.size === 0 && !this.#started && !this.#done) void this.#run();
  }

  cancel(): void {
    this.#stop.abort();
    if (!this.#started) void this.#finish({ kind: 'error', error: 'the scan was stopped', seconds: 0 });
  }

  async terminate(): Promise<void> {
    this.#done = true;
    this.#stop.abort();
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.#resolveEnded();
  }

  async #run(): Promise<void> {
    this.#started = true;
    let driver: TreeDriver;
    const spec = this.spec;
    switch (spec.kind) {
      case 'portfile': {
        const tree = join(this.dir, 'tree');
        try {
          await mkdir(this.dir, { recursive: true, mode: 0o711 }); // the build user reaches the tree through it
          await layOutFiles(tree, spec.files, this.store);
        } catch (err) {
          return this.#finish({ kind: 'error', error: `could not lay out the port on the host: ${(err as Error).message}`, seconds: 0 });
        }
        driver = new PortfileDriver(tree, { timeoutS: spec.timeoutS, user: defaultSandboxConfig().buildUser });
        break;
      }
      case 'pkgsrc':
        try {
          driver = await this.pkgsrc.driver(spec, this.#stop.signal);
        } catch (err) {
          return this.#finish({ kind: 'error', error: `could not set up the pkgsrc scan on the host: ${(err as Error).message}`, seconds: 0 });
        }
        break;
      default:
        return unreachable(spec);
    }
    const result = await driver.scanPort(spec.pkgpath, this.#stop.signal);
    return this.#finish(result.kind === 'scanned'
      ? { kind: 'scanned', index: result.index, seconds: result.seconds }
      : { kind: 'error', error: result.error, seconds: result.seconds });
  }

  async #finish(result: WireResult): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.writer.send({ t: 'scanned', id: this.id, result });
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.#resolveEnded();
  }
}
