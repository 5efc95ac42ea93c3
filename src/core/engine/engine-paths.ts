// One build of a pkgpath at a time. A pkgpath is busy while a job of this
// run builds it, and held while another kiln run does (its lock is in the
// shared lock directory). A ready package whose pkgpath is busy or held is
// parked here until the pkgpath is free again.

import type { PkgPath } from '../model.js';

export class PathGate {
  /** The running job of each busy pkgpath. */
  private readonly busy = new Map<PkgPath, number>();
  /** Pkgpaths another run builds, with who holds them. */
  private readonly held = new Map<PkgPath, string>();
  private readonly waiting = new Map<PkgPath, number[]>();

  occupy(pkgpath: PkgPath, job: number): void {
    this.busy.set(pkgpath, job);
  }

  /** The job of this run ended: the parked packages it freed, to be made ready again. */
  free(pkgpath: PkgPath): number[] {
    this.busy.delete(pkgpath);
    return this.held.has(pkgpath) ? [] : this.release(pkgpath);
  }

  hold(pkgpath: PkgPath, by: string): void {
    this.held.set(pkgpath, by);
  }

  /** Another run let go of `pkgpath`: the parked packages it freed. */
  unhold(pkgpath: PkgPath): number[] {
    if (!this.held.delete(pkgpath)) return [];
    return this.busy.has(pkgpath) ? [] : this.release(pkgpath);
  }

  /** Whether a job of this run builds `pkgpath`, or another run holds it. */
  blocks(pkgpath: PkgPath): boolean {
    return this.busy.has(pkgpath) || this.held.has(pkgpath);
  }

  /** Parks `id` when its pkgpath is busy or held; true if it had to. */
  park(id: number, pkgpath: PkgPath): boolean {
    if (!this.blocks(pkgpath)) return false;
    const list = this.waiting.get(pkgpath) ?? [];
    list.push(id);
    this.waiting.set(pkgpath, list);
    return true;
  }

  /** What keeps `pkgpath` from starting: a job of this run, or another run's lock. */
  blocker(pkgpath: PkgPath): { readonly job: number } | { readonly by: string } | undefined {
    const by = this.held.get(pkgpath);
    if (by !== undefined) return { by };
    const job = this.busy.get(pkgpath);
    return job === undefined ? undefined : { job };
  }

  /** Whether some package waits for a pkgpath to be free. */
  get anyParked(): boolean {
    return this.waiting.size > 0;
  }

  private release(pkgpath: PkgPath): number[] {
    const ids = this.waiting.get(pkgpath) ?? [];
    this.waiting.delete(pkgpath);
    return ids;
  }
}
