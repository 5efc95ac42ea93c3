// report.txt in the shape of pbulk's mailed report (the shape people and
// tools such as bulktracker read): header, counts, the failures that break
// the most, every build failure; then what pbulk leaves out: each failure's
// phase, class, log and what it broke, and the root causes of every
// indirect failure.

import { arch, machine, release, type } from 'node:os';

import type { FailureRow, RunView } from '../view/run-view.js';
import { localMinute, printable } from '../view/text-format.js';
import { fetchSummary } from './terminal-fetches.js';

export interface TxtOptions {
  /** `Linux 6.18.44/x86_64`; the coordinator's own when not given. */
  readonly platform?: string;
  /** How many of the most breaking failures the first table lists. */
  readonly top?: number;
}

const RULE = '-'.repeat(73);

export function reportTxt(view: RunView, options: TxtOptions = {}): string {
  const out: string[] = [];
  const title = 'kiln bulk build report';
  out.push(title, '='.repeat(title.length), '', options.platform ?? `${type()} ${release()}/${machineName()}`, '');
  out.push(`Tree: ${printable(view.tree)}`, `Run:  ${printable(view.run)} (${view.result})`, '');
  if (view.startedAt !== undefined) out.push(`Build start: ${localMinute(view.startedAt)}`);
  out.push(`Build end:   ${view.finishedAt === undefined ? 'not finished' : localMinute(view.finishedAt)}`, '');
  out.push('Full report: report.html', 'Machine readable version: report.json', '');

  const s = view.counts.byStatus;
  out.push(count('Total number of packages:', view.counts.total));
  out.push(count('  Successfully built:', s.done + s['up-to-date']));
  out.push(count('    of which up to date before:', s['up-to-date']));
  out.push(count('  Failed to build:', s.failed));
  out.push(count('  Depending on failed package:', s['indirect-failed']));
  out.push(count('  Explicitly broken or masked:', s.prefailed));
  out.push(count('  Depending on masked package:', s['indirect-prefailed']));
  if (s.open + s.building > 0) out.push(count('  Not built (run not finished):', s.open + s.building));
  const fetched = fetchSummary(view);
  if (fetched !== undefined) out.push('', `Distfiles ${fetched}`);
  out.push('');

  const breaking = view.failures.filter((f) => f.breaks > 0).slice(0, options.top ?? 25);
  out.push('Packages breaking the most other packages', '', header(), RULE, ...breaking.map(row), '');
  const failed = view.failures.filter((f) => f.status === 'failed').sort(byLocation);
  out.push('Build failures', '', header(), RULE, ...failed.map(row), '');

  const prefailed = view.failures.filter((f) => f.status === 'prefailed').sort(byLocation);
  if (prefailed.length > 0) out.push('Not built, with the reason', '', header(), RULE, ...prefailed.map(row), '');

  if (view.failures.length > 0) {
    out.push('Failure details', '');
    const dependents = dependentsOf(view);
    for (const f of [...failed, ...prefailed]) {
      out.push(`${printable(f.pkgpath)} (${printable(f.pkgname)})`);
      if (f.status === 'failed') {
        out.push(`    phase: ${printable(f.phase ?? '-')}    error: ${printable(f.error ?? '-')}    host: ${printable(f.host ?? '-')}`);
        out.push(`    log: ${printable(f.log ?? '-')}`);
      }
      if (f.reason !== undefined) out.push(`    reason: ${printable(f.reason)}`);
      out.push(`    maintainer: ${printable(f.maintainer)}`);
      const broken = dependents.get(f.pkgname) ?? [];
      if (broken.length > 0) out.push(`    breaks ${broken.length}: ${broken.map(printable).join(' ')}`);
      out.push('');
    }
  }
  if (view.indirect.length > 0) {
    out.push('Depending on failed or masked packages', '', `${'Package'.padEnd(38)} Root cause`, RULE);
    for (const r of view.indirect) out.push(`${printable(r.pkgpath).padEnd(38)} ${r.blockedBy.map(printable).join(' ')}`);
    out.push('');
  }
  return out.join('\n');
}

function machineName(): string {
  try {
    return machine();
  } catch {
    return arch();
  }
}

function count(label: string, n: number): string {
  return label + String(n).padStart(Math.max(1, 36 - label.length));
}

function header(): string {
  return `${'Package'.padEnd(38)}Breaks Maintainer`;
}

/** pbulk's row: location, breaks (blank for none), maintainer. */
function row(f: FailureRow): string {
  return `${printable(f.pkgpath).padEnd(38)}${(f.breaks > 0 ? String(f.breaks) : '').padStart(6)} ${printable(f.maintainer)}`;
}

function byLocation(a: FailureRow, b: FailureRow): number {
  return a.pkgpath.localeCompare(b.pkgpath) || a.pkgname.localeCompare(b.pkgname);
}

function dependentsOf(view: RunView): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of view.indirect) {
    for (const root of r.blockedBy) map.set(root, [...(map.get(root) ?? []), r.pkgname]);
  }
  for (const list of map.values()) list.sort();
  return map;
}
