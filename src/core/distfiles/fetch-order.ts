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

/** The fetches to start now, in the order to start them. `active`: fetches running per site; `running`: in all. */
export function nextFetches(waiting: readonly WaitingFetch[], running: number, active: ReadonlyMap<string, number>, limits: FetchLimits): WaitingFetch[] {
  const free = limits.jobs - running;
  if (free <= 0) return [];
  const order = [...waiting].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const bySite = new Map(active);
  const chosen: WaitingFetch[] = [];
  for (const fetch of order) {
    if (chosen.length === free) break;
    const busy = bySite.get(fetch.site) ?? 0;
    if (busy >= limits.perSite) continue;
    bySite.set(fetch.site, busy + 1);
    chosen.push(fetch);
  }
  return chosen;
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
