// Which distfiles to fetch next. Files that ready packages wait for come
// first: a free build slot waits on them now. Then the files of packages
// that are ready as soon as the builds running now end (every dependency
// not built yet is building): fetched ahead of those needed later, they are
// in when their slot frees. Within a group, the file that
// unlocks the most build priority per byte goes first (Smith's rule: the
// slots fill fast, small files of ready ports before one large one, yet a
// critical-path file is not starved by many small ones of little worth);
// then by name. At most `jobs` at once, at most `perSite` at once from one
// site; with three jobs or more, one stays for the files of ready packages,
// so a port that becomes ready does not wait behind fetching ahead (with
// fewer, every job fetches: fetching ahead is worth more). A fetch
// whose first site is busy waits; a less urgent one from a free site goes
// ahead of it.

export interface WaitingFetch {
  readonly name: string;
  /** A package ready to build (or one that will be as soon as it is planned) waits for it. */
  readonly ready: boolean;
  /** Not ready, but a package that waits for it is ready once the builds running now end. */
  readonly soon?: boolean;
  /** The build priority of the most urgent package that waits for it (bigger: sooner; 0: not known yet). */
  readonly priority: number;
  /** Its size, from distinfo. */
  readonly bytes: number;
  /** The site (host:port) its first URL is on. */
  readonly site: string;
}

/** How soon a package's distfiles are wanted: `ready`, it could be built now (or as soon as it is planned); `soon`, once the builds running now end; `priority`, its build priority (bigger: sooner). */
export interface FetchUrgency {
  readonly ready: boolean;
  readonly soon?: boolean;
  readonly priority: number;
}

export interface FetchLimits {
  readonly jobs: number;
  readonly perSite: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { jobs: 4, perSite: 2 };

/** Priority per byte (a file of unknown or zero size counts one kB). */
function worth(fetch: WaitingFetch): number {
  return fetch.priority / Math.max(fetch.bytes, 1024);
}

/** Whether `a` goes before `b`. */
function fetchBefore(a: WaitingFetch, b: WaitingFetch): boolean {
  if (a.ready !== b.ready) return a.ready;
  if ((a.soon === true) !== (b.soon === true)) return a.soon === true;
  if (worth(a) !== worth(b)) return worth(a) > worth(b);
  if (a.bytes !== b.bytes) return a.bytes < b.bytes;
  return a.name < b.name;
}

/**
 * The fetches to start now, in the order to start them. `active`: fetches
 * running per site; `running`: in all; `runningAhead`: of those, the ones
 * no ready package waits for. One pass keeps each site's best few (as many
 * as it has turns free); the best of those start.
 */
export function nextFetches(waiting: Iterable<WaitingFetch>, running: number, active: ReadonlyMap<string, number>, limits: FetchLimits, runningAhead = 0): WaitingFetch[] {
  const free = limits.jobs - running;
  if (free <= 0) return [];
  const bestBySite = new Map<string, WaitingFetch[]>();
  for (const fetch of waiting) {
    const room = Math.min(free, limits.perSite - (active.get(fetch.site) ?? 0));
    if (room <= 0) continue;
    const best = bestBySite.get(fetch.site) ?? [];
    if (best.length === room && !fetchBefore(fetch, best[room - 1]!)) continue;
    let at = best.length;
    while (at > 0 && fetchBefore(fetch, best[at - 1]!)) at--;
    best.splice(at, 0, fetch);
    if (best.length > room) best.pop();
    bestBySite.set(fetch.site, best);
  }
  // With three jobs or more, fetching ahead (for packages not ready yet) leaves one for the files of packages that become ready.
  let ahead = limits.jobs >= 3 ? limits.jobs - 1 - runningAhead : free;
  return [...bestBySite.values()].flat().sort((a, b) => (fetchBefore(a, b) ? -1 : 1))
    .filter((fetch) => fetch.ready || ahead-- > 0).slice(0, free);
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
