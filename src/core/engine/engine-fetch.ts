// The engine's view of fetching: a package whose plan entry needs
// distfiles (PlanEntry.fetch) becomes ready only once they are in DISTDIR,
// verified (`distfiles-ready`). Results may come before the package is
// planned (the fetcher starts as soon as the scan knows a port will be
// built), so they are kept by pkgname. A package whose dependencies are
// built but whose distfiles are not there yet is parked here.

import type { PkgName } from '../model.js';

export type FetchResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export type Gate =
  | { readonly kind: 'ready' }
  | { readonly kind: 'parked' }
  | { readonly kind: 'failed'; readonly reason: string };

export class FetchGate {
  private readonly results = new Map<PkgName, FetchResult>();
  private readonly parked = new Map<PkgName, number>();

  /** Whether package `id` (its dependencies built, `needs` distfiles) may be built now; parks it when its distfiles are not there yet. */
  pass(id: number, pkgname: PkgName, needs: boolean): Gate {
    if (!needs) return { kind: 'ready' };
    const result = this.results.get(pkgname);
    if (result === undefined) {
      this.parked.set(pkgname, id);
      return { kind: 'parked' };
    }
    return result.ok ? { kind: 'ready' } : { kind: 'failed', reason: result.reason };
  }

  /**
   * Records a fetch's result. A package parked for it is let go (`ready`:
   * to the gate again). A failure fails an open package at once (and so
   * blocks its dependents), unless `mustFetch` says it may still prove
   * current: that is asked first, and the gate fails it after.
   */
  arrived(event: { readonly pkgname: PkgName; readonly type: 'distfiles-ready' | 'fetch-failed'; readonly reason?: string },
    idOf: (pkgname: PkgName) => number | undefined, isOpen: (id: number) => boolean, mustFetch: (id: number) => boolean):
    { readonly kind: 'ready'; readonly id: number } | { readonly kind: 'failed'; readonly id: number; readonly reason: string } | undefined {
    const result: FetchResult = event.type === 'distfiles-ready' ? { ok: true } : { ok: false, reason: event.reason ?? 'the fetch failed' };
    this.results.set(event.pkgname, result);
    const parked = this.parked.get(event.pkgname);
    this.parked.delete(event.pkgname);
    const id = parked ?? idOf(event.pkgname);
    if (id === undefined || !isOpen(id)) return undefined;
    if (parked !== undefined) return { kind: 'ready', id };
    return !result.ok && mustFetch(id) ? { kind: 'failed', id, reason: result.reason } : undefined;
  }

  /** Whether package `pkgname` waits for its distfiles. */
  parks(pkgname: PkgName): boolean {
    return this.parked.has(pkgname);
  }

  /** Whether packages wait for their distfiles. */
  get waiting(): boolean {
    return this.parked.size > 0;
  }
}
