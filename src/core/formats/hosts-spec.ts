// The part of dpb's hosts file that scheduling needs (DESIGN.md, "Hosts
// file"): one host a line, `name jobs=N sf=S cores=C mem=M features=F,G
// mandatory=F`, `#` comments.
// Lines without a host (`STARTUP=...`) and properties scheduling does not
// use (arch, timeout, ...) are skipped here; src/exec/hosts-file.ts reads
// the whole file for the cluster. Bad values are reported, never thrown.

import { parseFeatureList } from '../engine/host-features.js';
import { parseSize } from './size.js';

export interface HostLine {
  readonly name: string;
  /** `jobs=`: slots, 1 when not given. */
  readonly slots: number;
  /** `sf=`: speed factor, bigger is faster, 1 when not given. */
  readonly speed: number;
  /** `cores=`: a core budget shared as make jobs, when given. */
  readonly cores?: number;
  /** `mem=` / `memory=`: MiB (suffix K, M, G, T allowed), when given. */
  readonly memoryMiB?: number;
  /** `features=`, `mandatory=`: the host's class (engine/host-features.ts), when given. */
  readonly features?: readonly string[];
  readonly mandatory?: readonly string[];
}

export interface ParsedHosts {
  readonly hosts: HostLine[];
  readonly problems: { readonly line: number; readonly reason: string }[];
}

export function parseHostsSpec(text: string): ParsedHosts {
  const hosts: HostLine[] = [];
  const problems: { line: number; reason: string }[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [name, ...props] = line.split(/\s+/);
    if (name === undefined || name.includes('=')) return; // a global setting such as STARTUP=
    let slots = 1;
    let speed = 1;
    let cores: number | undefined;
    let memoryMiB: number | undefined;
    const kinds: { features?: readonly string[]; mandatory?: readonly string[] } = {};
    for (const prop of props) {
      const eq = prop.indexOf('=');
      const key = eq === -1 ? prop : prop.slice(0, eq);
      const value = eq === -1 ? '' : prop.slice(eq + 1);
      const bad = (what: string): void => { problems.push({ line: index + 1, reason: `${name}: ${key}=${value} is not ${what}` }); };
      switch (key) {
        case 'jobs': { const n = Number(value); if (Number.isInteger(n) && n >= 1) slots = n; else bad('a whole number >= 1'); break; }
        case 'sf': { const n = Number(value); if (Number.isFinite(n) && n > 0) speed = n; else bad('a number > 0'); break; }
        case 'cores': { const n = Number(value); if (Number.isInteger(n) && n >= 1) cores = n; else bad('a whole number >= 1'); break; }
        case 'mem':
        case 'memory': { const n = mebibytes(value); if (n !== undefined) memoryMiB = n; else bad('a size such as 16G'); break; }
        case 'features':
        case 'mandatory': { const list = parseFeatureList(value); if (Array.isArray(list)) kinds[key] = list; else bad('a list of feature names'); break; }
        default: break; // arch=, timeout=, ... belong to the cluster
      }
    }
    hosts.push({ name, slots, speed, ...(cores !== undefined && { cores }), ...(memoryMiB !== undefined && { memoryMiB }), ...kinds });
  });
  return { hosts, problems };
}

/** A bare number is MiB. */
function mebibytes(value: string): number | undefined {
  const bytes = parseSize(value, 2 ** 20);
  return bytes === undefined ? undefined : bytes / 2 ** 20;
}
