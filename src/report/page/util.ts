// The page's own state and small helpers. Every value from the run goes into
// the page as text nodes, attributes set through the DOM, or text drawn on a
// canvas, never as markup, so port metadata cannot inject anything.

import type { Status } from '../../core/model.js';
import type { BarOutcome } from '../view/run-view.js';
import type { TableCache } from './tables.js';

export type SortDir = 'ascending' | 'descending';

export interface Sort {
  readonly key: string;
  readonly dir: SortDir;
}

/** What the operator chose (search, filter, sorts, rows shown) and what the tables keep between draws. */
export const state = {
  query: '',
  statusFilter: '',
  live: false,
  sort: {} as Record<string, Sort | undefined>,
  limits: {} as Record<string, number | undefined>,
  tables: {} as Record<string, TableCache<object> | undefined>,
  ranks: {} as Record<string, Map<string, number> | undefined>,
  hidden: {} as Record<string, boolean | undefined>,
};

export const COLOURS: Readonly<Record<BarOutcome, string>> = { built: '#2e7d32', failed: '#c62828', lost: '#9e9e9e', running: '#1565c0' };

/** An element the page's markup (sinks/page-html.ts) holds. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** An element the markup may not hold. */
export function maybeById<T extends HTMLElement = HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

export type Content = Node | string | number | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string | null, content?: Content): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (content !== undefined && content !== null) {
    if (typeof content === 'object') node.appendChild(content); else node.textContent = String(content);
  }
  return node;
}

export function clear(node: Node): void { while (node.firstChild) node.removeChild(node.firstChild); }

export function isEmpty(v: unknown): v is undefined | null | '' { return v === undefined || v === null || v === ''; }

function pad2(n: number): string { return `${n < 10 ? '0' : ''}${n}`; }

export function fmtDur(s: number | null | undefined): string {
  if (isEmpty(s)) return '';
  s = Math.max(0, Math.round(s));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad2(Math.floor((s % 86400) / 3600))}h`;
}

export function fmtTime(t: number | null | undefined): string {
  if (isEmpty(t)) return '';
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** hh:mm, or hh:mm:ss when the labels are less than a minute apart (else a short window repeats one minute). */
export function fmtClock(t: number, seconds: boolean): string {
  const d = new Date(t * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}${seconds ? `:${pad2(d.getSeconds())}` : ''}`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (isEmpty(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024; let i = 0;
  while (v >= 1024 && i < units.length - 1) { v = v / 1024; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A log path relative to the run directory, as a relative link: each part encoded, so it stays a path. */
export function logLink(log: string | null): HTMLAnchorElement | '' {
  if (!log) return '';
  const a = el('a', null, 'log');
  a.setAttribute('href', log.split('/').map(encodeURIComponent).join('/'));
  a.setAttribute('rel', 'noopener');
  return a;
}

export function statusCell(status: Status): HTMLTableCellElement { return el('td', `status-${status}`, status); }

/** Records how long a piece of work took, for the browser's performance tools and the benchmarks. */
export function timed<T>(name: string, work: () => T): T {
  const t0 = performance.now();
  const value = work();
  try {
    performance.measure(name, { start: t0, end: performance.now() });
    if (performance.getEntriesByType('measure').length > 2000) performance.clearMeasures();
  } catch { /* measures are a help, never a need */ }
  return value;
}
