// The page's own state and how it touches the document. Every value from
// the run goes into the page as text nodes, attributes set through the DOM,
// or text drawn on a canvas, never as markup, so port metadata cannot inject
// anything.

import type { Status } from '../../core/model.js';
import type { BarOutcome } from '../view/run-view.js';

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
  ranks: {} as Record<string, Map<string, number> | undefined>,
  hidden: {} as Record<string, boolean | undefined>,
};

/**
 * Drawing again after the operator acts (a sort, a search, a zoom): the
 * page's entry (main.ts) sets these, so the parts it draws need not import it.
 */
export const repaint = {
  /** Everything, once. */
  all: (): void => undefined,
  /** The timeline and the utilisation chart. */
  charts: (): void => undefined,
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
