// Why queued packages wait, for `kiln why` in another process and for
// engine.log. Every few seconds the engine's reasons for its open packages
// whose dependencies are built go to the run's store (one value, written
// only when it changed, less often the bigger it is); a package waiting for
// dependencies is told from the store's statuses. After each step, a slot
// that stays idle while packages are queued is said once in engine.log (a
// message), again only when the reason changes. While an allocation asked
// of a cluster manager is pending, a package waiting for a host says so
// ("waiting for a Slurm allocation (Resources)").

import type { Engine } from '../core/engine/engine.js';
import { formatWaitReason, type WaitReason } from '../core/engine/engine-why.js';
import type { PkgName, PkgPath } from '../core/model.js';
import { WAITING_KEY, type WaitingRecord } from '../store/waiting-record.js';
import type { RunStore } from '../store/run-store.js';

/** The reasons a host of a pending allocation would end: no host up, every slot busy, the hosts up ending too soon. */
const FOR_A_HOST = new Set<WaitReason['kind']>(['no-host', 'slots-busy', 'time-limit']);

export interface WaitRecordOptions {
  readonly engine: Engine;
  readonly store: RunStore;
  readonly run: number;
  readonly now: () => number;
  readonly pkgpathOf: (pkgname: PkgName) => PkgPath | undefined;
  /** A line for engine.log. */
  readonly say: (text: string) => void;
  /** Told each record as it is written (undefined once the run ends): `kiln build --web`'s page, in this process. */
  readonly show?: ((record: WaitingRecord | undefined) => void) | undefined;
  readonly everyS?: number;
}

export class WaitRecord {
  readonly #o: WaitRecordOptions;
  #timer: NodeJS.Timeout | undefined;
  #written = '';
  #idle: string | undefined;
  #awaiting: string | undefined;

  constructor(options: WaitRecordOptions) {
    this.#o = options;
  }

  start(): void {
    this.write();
    this.#next();
  }

  /** Every two seconds, or a second per 100 KB written: a big queue's record costs the disk little. */
  #next(): void {
    const seconds = Math.max(this.#o.everyS ?? 2, this.#written.length / 100_000);
    this.#timer = setTimeout(() => {
      this.write();
      this.#next();
    }, seconds * 1000);
    this.#timer.unref();
  }

  /** The run ends or stops: no build answers for its packages any more. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#o.store.put(WAITING_KEY, '');
    this.#o.show?.(undefined);
  }

  write(): void {
    const { engine, pkgpathOf } = this.#o;
    const open: Record<PkgPath, { pkgname: PkgName; reason: string }> = {};
    for (const [pkgname, reason] of engine.waitReasons(this.#o.now(), undefined, true)) {
      open[pkgpathOf(pkgname) ?? pkgname] = { pkgname, reason: this.#said(reason) };
    }
    const text = JSON.stringify({ run: this.#o.run, open });
    if (text === this.#written) return;
    this.#written = text;
    const record: WaitingRecord = { run: this.#o.run, at: this.#o.now(), open };
    this.#o.store.put(WAITING_KEY, JSON.stringify(record));
    this.#o.show?.(record);
  }

  /** An allocation asked of a cluster manager is pending (`Slurm allocation (Resources)`), or none is: what waits for a host says so. */
  awaiting(allocation: string | undefined): void {
    this.#awaiting = allocation;
  }

  #said(reason: WaitReason): string {
    return this.#awaiting !== undefined && FOR_A_HOST.has(reason.kind) ? `waiting for a ${this.#awaiting}` : formatWaitReason(reason);
  }

  /** After each step of the coordinator: an idle slot with work queued is said once per reason. */
  stepped(): void {
    const idle = this.#o.engine.idleSlot(this.#o.now());
    const text = idle && `a slot is idle with ${idle.queued} queued: ${this.#o.pkgpathOf(idle.pkgname) ?? idle.pkgname} ${this.#said(idle.reason)}`;
    if (text !== undefined && text !== this.#idle) this.#o.say(text);
    this.#idle = text;
  }
}
