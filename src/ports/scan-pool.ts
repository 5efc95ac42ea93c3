// pbulk's scan clients: the ports of one scan spread over this machine and
// remote hosts. The pool is a TreeDriver, so the scanner (and its cache)
// need not know: it lists the tree and keeps the cache here, and sends each
// port to whichever host has a free scan slot. A host that is lost takes no
// more ports; a port it could not scan, or whose scan found it broken, is
// scanned again here, so a remote host never changes a port's result (it may
// lack a file the port reads from elsewhere in the tree). With `notHere`
// (the build is for another architecture than this machine's, whose scan
// would say what this machine is), nothing is scanned here: a lost host's
// port goes to another host, and a port no host scans fails with why.

import type { PkgPath } from '../core/model.js';
import { parseIndex } from '../core/formats/pbulk-index.js';
import type { NotAPort, ScanResult, TreeDriver } from './driver.js';
import type { ScanInputs } from './scan-cache.js';

/** What asking a host to scan one port gives. */
export type HostScan =
  | ScanResult
  /** Scan it elsewhere; `lost`: the host is gone, send it nothing more. */
  | { readonly kind: 'elsewhere'; readonly reason: string; readonly lost: boolean };

/** A host that scans ports: a remote one, through its agent (src/exec), or another tree's clients. */
export interface ScanHost {
  readonly name: string;
  /** Scans at once on this host. */
  readonly slots: number;
  scanPort(pkgpath: PkgPath, signal: AbortSignal): Promise<HostScan>;
}

export interface ScanPoolListener {
  /** A host stopped scanning for this run. */
  lost?(host: string, reason: string): void;
}

interface Member {
  readonly host: ScanHost | undefined;
  readonly name: string;
  readonly slots: number;
  busy: number;
  lost: boolean;
  scanned: number;
}

export class ScanPool implements TreeDriver, ScanInputs {
  readonly kind: TreeDriver['kind'];
  readonly root: string;
  readonly fingerprint: string;
  readonly #local: TreeDriver & ScanInputs;
  readonly #members: Member[];
  readonly #listener: ScanPoolListener;
  readonly #notHere: string | undefined;

  /** `notHere`: why no port may be scanned on this machine (then `localSlots` is taken as 0). */
  constructor(local: TreeDriver & ScanInputs, localSlots: number, hosts: readonly ScanHost[], listener: ScanPoolListener = {}, notHere?: string) {
    this.#local = local;
    this.#notHere = notHere;
    if (notHere !== undefined) localSlots = 0;
    this.kind = local.kind;
    this.root = local.root;
    this.fingerprint = local.fingerprint;
    this.#listener = listener;
    const member = (host: ScanHost | undefined, name: string, slots: number): Member => ({ host, name, slots, busy: 0, lost: false, scanned: 0 });
    this.#members = [member(undefined, 'localhost', Math.max(0, localSlots)), ...hosts.map((h) => member(h, h.name, Math.max(0, h.slots)))];
  }

  /** Scans at once over every host: the scanner's `jobs`. */
  get slots(): number {
    return Math.max(1, this.#members.reduce((sum, m) => sum + m.slots, 0));
  }

  /** Ports each host scanned (a port scanned again here counts here). */
  scannedBy(): ReadonlyMap<string, number> {
    return new Map(this.#members.map((m) => [m.name, m.scanned]));
  }

  listPorts(signal: AbortSignal, notAPort?: NotAPort): Promise<PkgPath[]> {
    return this.#local.listPorts(signal, notAPort);
  }

  inputs(pkgpath: PkgPath, index: string): Promise<string[]> {
    return this.#local.inputs(pkgpath, index);
  }

  /** Scans on this machine's own hosts, when it scans only there: how many. */
  get remoteSlots(): number {
    return this.#members.slice(1).reduce((sum, m) => sum + (m.lost ? 0 : m.slots), 0);
  }

  async scanPort(pkgpath: PkgPath, signal: AbortSignal): Promise<ScanResult> {
    if (this.#notHere !== undefined) return this.#scanThere(pkgpath, signal, this.#notHere);
    const member = this.#pick();
    if (member.host !== undefined) {
      const answer = await this.#ask(member, pkgpath, signal);
      if (answer.kind === 'scanned' && !brokenIndex(answer.index)) {
        member.scanned++;
        return answer;
      }
    }
    return this.#scanHere(pkgpath, signal);
  }

  /** On the remote hosts only: a lost host's port goes to the next; a host's verdict on the port stands. */
  async #scanThere(pkgpath: PkgPath, signal: AbortSignal, notHere: string): Promise<ScanResult> {
    for (let member = this.#pickThere(); member !== undefined; member = this.#pickThere()) {
      const answer = await this.#ask(member, pkgpath, signal);
      if (answer.kind === 'scanned') member.scanned++;
      if (answer.kind !== 'elsewhere') return answer;
      if (!answer.lost) return { kind: 'error', pkgpath, error: answer.reason, seconds: 0 };
    }
    return { kind: 'error', pkgpath, error: `no host is left to scan it (${notHere})`, seconds: 0 };
  }

  async #ask(member: Member, pkgpath: PkgPath, signal: AbortSignal): Promise<HostScan> {
    member.busy++;
    let answer: HostScan;
    try {
      answer = await member.host!.scanPort(pkgpath, signal);
    } catch (err) {
      answer = { kind: 'elsewhere', reason: (err as Error).message, lost: true };
    } finally {
      member.busy--;
    }
    if (answer.kind === 'elsewhere' && answer.lost && !member.lost) {
      member.lost = true;
      this.#listener.lost?.(member.name, answer.reason);
    }
    return answer;
  }

  /** The remote host not lost with the most free slots (full ones too: a lost host's scans go to the others). */
  #pickThere(): Member | undefined {
    let best: Member | undefined;
    for (const m of this.#members.slice(1)) if (!m.lost && (!best || m.slots - m.busy > best.slots - best.busy)) best = m;
    return best;
  }

  async #scanHere(pkgpath: PkgPath, signal: AbortSignal): Promise<ScanResult> {
    const here = this.#members[0]!;
    here.busy++;
    try {
      const result = await this.#local.scanPort(pkgpath, signal);
      here.scanned++;
      return result;
    } finally {
      here.busy--;
    }
  }

  /** The host with the most free slots; remote hosts first on a tie; here when all are full. */
  #pick(): Member {
    let best: Member = this.#members[0]!;
    let bestFree = best.slots - best.busy;
    for (const m of this.#members.slice(1)) {
      if (m.lost) continue;
      const free = m.slots - m.busy;
      if (free > 0 && free >= bestFree) {
        best = m;
        bestFree = free;
      }
    }
    return best;
  }
}

/** Whether a scan says the port is broken (KILN_SCAN_ERROR, or no block at all). */
function brokenIndex(index: string): boolean {
  const parsed = parseIndex(index);
  return parsed.errors.length > 0 || parsed.entries.length === 0 || parsed.entries.some((e) => e.vars.has('KILN_SCAN_ERROR'));
}
