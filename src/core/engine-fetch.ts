// The engine's view of fetching: a package whose plan entry needs
// distfiles (PlanEntry.fetch) becomes ready only once they are in DISTDIR,
// verified (`distfiles-ready`). Results may come before the package is
// planned (the fetcher starts as soon as the scan knows a port will be
// built), so they are kept by pkgname. A package whose dependencies are
// built but whose distfiles are not there yet is parked here.

import type { PkgName } from './model.js';

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

  /** Records a result; gives back the package it lets go, if it was parked. */
  arrived(pkgname: PkgName, result: FetchResult): number | undefined {
    this.results.set(pkgname, result);
    const id = this.parked.get(pkgname);
    this.parked.delete(pkgname);
    return id;
  }

  /** Whether packages wait for their distfiles. */
  get waiting(): boolean {
    return this.parked.size > 0;
  }
}
