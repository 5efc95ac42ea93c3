// Which distfiles to fetch next: the most urgent first (a distfile is as
// urgent as the most urgent package that waits for it: the critical path's
// distfiles come first), at most `jobs` at once, at most `perSite` at once
// from one site. A fetch whose first site is busy waits; a less urgent one
// from a free site goes ahead of it.

export interface WaitingFetch {
  readonly name: string;
  /** The build priority of the most urgent package that waits for it (bigger: sooner). */
  readonly priority: number;
  /** The site (host:port) its first URL is on. */
  readonly site: string;
}

export interface FetchLimits {
  readonly jobs: number;
  readonly perSite: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { jobs: 4, perSite: 2 };

/** Whether `a` goes before `b`: the more urgent, then by name (so the order never depends on how the list was built). */
function before(a: WaitingFetch, b: WaitingFetch): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.name < b.name;
}

/**
 * The fetches to start now, in the order to start them. `active`: fetches
 * running per site; `running`: in all. One pass keeps each site's best few
 * (as many as it has turns free); the best of those start.
 */
export function nextFetches(waiting: Iterable<WaitingFetch>, running: number, active: ReadonlyMap<string, number>, limits: FetchLimits): WaitingFetch[] {
  const free = limits.jobs - running;
  if (free <= 0) return [];
  const bestBySite = new Map<string, WaitingFetch[]>();
  for (const fetch of waiting) {
    const room = Math.min(free, limits.perSite - (active.get(fetch.site) ?? 0));
    if (room <= 0) continue;
    const best = bestBySite.get(fetch.site) ?? [];
    if (best.length === room && !before(fetch, best[room - 1]!)) continue;
    let at = best.length;
    while (at > 0 && before(fetch, best[at - 1]!)) at--;
    best.splice(at, 0, fetch);
    if (best.length > room) best.pop();
    bestBySite.set(fetch.site, best);
  }
  return [...bestBySite.values()].flat().sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, free);
}

/** The site of a URL (`host:port`, the scheme's port when none is given), or the URL itself when it cannot be read. */
export function siteOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]+)/i.exec(url);
  if (!match) return url;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  if (/:\d+$/.test(host) && !host.endsWith(']')) return host;
  return `${host}:${scheme === 'https' ? 443 : scheme === 'ftp' ? 21 : 80}`;
}

/** The URLs to try for a distfile, in order: the override sites first, then the port's; each base gets the name appended (a `/` between). */
export function candidateUrls(name: string, sites: readonly string[], override: readonly string[] = []): string[] {
  const urls: string[] = [];
  for (const base of [...override, ...sites]) {
    if (base === '') continue;
    const url = base.endsWith('/') ? base + name : `${base}/${name}`;
    if (!urls.includes(url)) urls.push(url);
  }
  return urls;
}
