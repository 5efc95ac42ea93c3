// Sortable, searchable tables that stay quick with tens of thousands of rows.
// A table is worked out again only when its rows, the search, the filter or
// the sort changed; it shows the first rows that match (more on asking);
// strings sort by collation rank, worked out once per distinct value of a
// column (whichever table shows it), then as numbers; a column whose values
// never change keeps its sorted order until rows are added; and rows whose
// data did not change keep their DOM nodes.

import { byId, clear, el, maybeById, repaint, state, timed, type Content, type Sort, type SortDir } from './dom.js';
import { isEmpty } from './format.js';

export type CellValue = string | number | null | undefined;

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: R) => CellValue;
  readonly num?: boolean;
  /** The column's values never change: its sorted order is kept as rows come. */
  readonly fixed?: boolean;
  readonly wrap?: boolean;
  readonly search?: boolean;
  /** What the cell shows, when not the value: text, a node, or the whole `td`. */
  readonly cell?: (row: R) => Content;
}

export interface TableSpec<R extends object> {
  readonly id: string;
  readonly rows: readonly R[] | (() => readonly R[]);
  readonly version: string | number;
  /** Changes when rows come or go. */
  readonly members?: number;
  /** Every row that came, in order, append-only. */
  readonly joined?: readonly R[];
  /** Still one of the rows. */
  readonly member?: (row: R) => boolean;
  readonly columns: readonly Column<R>[];
  readonly defaultSort: Sort;
  readonly rowVersion?: (row: R) => unknown;
  readonly filter?: ((row: R) => boolean) | null;
  readonly filterKey?: string;
  readonly rowClass?: (row: R) => string | null;
  readonly note?: string;
}

interface Sorted<R> {
  readonly key: string;
  readonly members: number | undefined;
  readonly rows: R[];
  readonly set: Set<R>;
  readonly ranks: Map<string, number>;
  keys: number[];
}

interface Shown<R> {
  readonly row: R;
  readonly ver: unknown;
  readonly tr: HTMLTableRowElement;
}

export interface TableCache<R extends object> {
  key: string | null;
  readonly hay: WeakMap<R, { ver: unknown; text: string }>;
  sorted: Sorted<R> | null;
  shown: Shown<R>[];
  seen: number;
  sortShown?: string;
}

// Natural order: builder1:2 before builder1:10, py39 before py312.
const collator = new Intl.Collator(undefined, { numeric: true });
const PAGE_ROWS = 100;
/** Each table's cache, by its element's id. */
const caches = new Map<string, TableCache<object>>();

/** Every table starts afresh (the page's copy was replaced): its rows were the old copy's. */
export function forgetRows(): void {
  caches.forEach((t) => { t.key = null; t.sorted = null; t.shown = []; t.seen = 0; });
}

/** The rank of every distinct value of a column, in collation order; values not seen yet rebuild it. */
function ranksOf(cacheKey: string, values: readonly string[]): Map<string, number> {
  let cache = state.ranks[cacheKey];
  let missing = !cache;
  if (cache) for (let i = 0; i < values.length && !missing; i++) if (!cache.has(values[i]!)) missing = true;
  if (cache && !missing) return cache;
  const distinct = new Set(cache ? Array.from(cache.keys()) : []);
  values.forEach((v) => { distinct.add(v); });
  const sorted = Array.from(distinct).sort(collator.compare);
  cache = new Map();
  sorted.forEach((v, i) => { cache.set(v, i); });
  state.ranks[cacheKey] = cache;
  return cache;
}

/**
 * Rows sorted by a column: empty values last whichever the direction, ties in the rows' own order.
 * Strings sort by rank, packed with the row's place into one number, so the browser's own numeric sort does the work.
 */
function sortRows<R>(rows: readonly R[], col: Column<R>, dir: SortDir): R[] {
  const n = rows.length; const sign = dir === 'descending' ? -1 : 1;
  if (col.num) {
    const keys = new Float64Array(n); const empty = new Uint8Array(n);
    rows.forEach((row, i) => { const v = col.value(row); if (isEmpty(v)) empty[i] = 1; else keys[i] = Number(v); });
    const index = Array.from({ length: n }, (_, i) => i);
    index.sort((a, b) => {
      if (empty[a] !== empty[b]) return empty[a]! - empty[b]!;
      const d = keys[a]! - keys[b]!;
      return d !== 0 ? sign * d : a - b;
    });
    return index.map((i) => rows[i]!);
  }
  const values: (string | null)[] = new Array<string | null>(n); const strings: string[] = [];
  rows.forEach((row, i) => { const v = col.value(row); const s = isEmpty(v) ? null : String(v); values[i] = s; if (s !== null) strings.push(s); });
  const ranks = ranksOf(col.key, strings);
  const last = ranks.size;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const rank = v === null || v === undefined ? last + 1 : (sign > 0 ? ranks.get(v)! : last - ranks.get(v)!);
    packed[i] = rank * 2097152 + i;
  }
  packed.sort();
  const out = new Array<R>(n);
  for (let k = 0; k < n; k++) out[k] = rows[packed[k]! % 2097152]!;
  return out;
}

function rankKey<R>(ranks: Map<string, number>, col: Column<R>, row: R): number {
  const v = col.value(row);
  return isEmpty(v) ? Infinity : ranks.get(String(v))!;
}

/**
 * Every row sorted by a (string) column whose values never change: sorted once, then kept as rows come
 * and go (the rows that came are sorted alone and merged in, by the ranks kept beside the rows), so a
 * burst of new rows costs what it brings.
 */
function fixedOrder<R extends object>(cache: TableCache<R>, spec: TableSpec<R>, joined: readonly R[], col: Column<R>, dir: SortDir): R[] {
  const key = `${col.key}\u0001${dir}`; const sorted = cache.sorted; let ranks: Map<string, number>;
  if (!sorted || sorted.key !== key) {
    const all = sortRows(rowsOf(spec), col, dir);
    ranks = state.ranks[col.key] ?? new Map<string, number>();
    const allRanks = ranks;
    cache.seen = joined.length;
    cache.sorted = { key, members: spec.members, rows: all, set: new Set(all), ranks, keys: all.map((row) => rankKey(allRanks, col, row)) };
    return all;
  }
  if (sorted.members === spec.members) return sorted.rows;
  const set = sorted.set;
  // The rows that joined since: from the table's log, not a pass over every row.
  const fresh = new Set<R>();
  for (let l = cache.seen; l < joined.length; l++) {
    const row = joined[l]!;
    if (!set.has(row) && (!spec.member || spec.member(row))) fresh.add(row);
  }
  cache.seen = joined.length;
  const came = sortRows(Array.from(fresh), col, dir);
  ranks = state.ranks[col.key] ?? new Map<string, number>();
  const nowRanks = ranks;
  if (ranks !== sorted.ranks) sorted.keys = sorted.rows.map((row) => rankKey(nowRanks, col, row));
  const cameKeys = came.map((row) => rankKey(nowRanks, col, row));
  const sign = dir === 'descending' ? -1 : 1;
  const rows: R[] = []; const keys: number[] = []; let i = 0; let j = 0; const n = sorted.rows.length;
  while (i < n || j < came.length) {
    const a = i < n ? sorted.keys[i]! : 0; const b = j < came.length ? cameKeys[j]! : 0;
    const kept = j >= came.length || (i < n && (a === b || (a !== Infinity && (b === Infinity || sign * (a - b) < 0))));
    if (kept) {
      const row = sorted.rows[i++]!;
      if (spec.member && !spec.member(row)) { set.delete(row); continue; }
      rows.push(row); keys.push(a);
    } else {
      set.add(came[j]!); rows.push(came[j]!); keys.push(b); j++;
    }
  }
  cache.sorted = { key, members: spec.members, rows, set, ranks, keys };
  return rows;
}

function haystack<R extends object>(cache: TableCache<R>, spec: TableSpec<R>, rowVersion: (row: R) => unknown, row: R): string {
  const ver = rowVersion(row); const known = cache.hay.get(row);
  if (known && known.ver === ver) return known.text;
  const parts: string[] = [];
  spec.columns.forEach((c) => { if (c.search === false || c.num) return; const v = c.value(row); if (!isEmpty(v)) parts.push(String(v).toLowerCase()); });
  const text = parts.join('\u0001');
  cache.hay.set(row, { ver, text });
  return text;
}

function tableCache<R extends object>(spec: TableSpec<R>): TableCache<R> {
  const known = caches.get(spec.id) as TableCache<R> | undefined;
  if (known) return known;
  const cache: TableCache<R> = { key: null, hay: new WeakMap(), sorted: null, shown: [], seen: 0 };
  caches.set(spec.id, cache);
  const table = byId(spec.id); const thead = el('thead'); const tr = el('tr');
  spec.columns.forEach((col) => {
    const th = el('th', col.num ? 'num' : null, col.label);
    th.setAttribute('data-key', col.key);
    th.addEventListener('click', () => {
      const now = state.sort[spec.id] ?? spec.defaultSort;
      const dir = now.key === col.key && now.dir === 'ascending' ? 'descending' : (now.key === col.key ? 'ascending' : (col.num ? 'descending' : 'ascending'));
      state.sort[spec.id] = { key: col.key, dir };
      repaint.all();
    });
    tr.appendChild(th);
  });
  thead.appendChild(tr); table.appendChild(thead); table.appendChild(el('tbody'));
  return cache;
}

function rowNode<R extends object>(spec: TableSpec<R>, row: R): HTMLTableRowElement {
  const tr = el('tr', spec.rowClass ? spec.rowClass(row) : null);
  spec.columns.forEach((c) => {
    const cell = c.cell ? c.cell(row) : null;
    if (cell instanceof Node && cell.nodeName === 'TD') { tr.appendChild(cell); return; }
    const td = el('td', c.num ? 'num' : (c.wrap ? 'wrap' : null));
    if (cell instanceof Node) td.appendChild(cell);
    else if (cell !== null && cell !== undefined) td.textContent = String(cell);
    else { const v = c.value(row); td.textContent = isEmpty(v) ? '' : String(v); }
    tr.appendChild(td);
  });
  return tr;
}

function rowsOf<R extends object>(spec: TableSpec<R>): readonly R[] { return typeof spec.rows === 'function' ? spec.rows() : spec.rows; }

export function renderTable<R extends object>(spec: TableSpec<R>): void { timed(`kiln-table-${spec.id}`, () => { tableOnce(spec); }); }

const ownVersion = (row: object): unknown => (row as { ver?: unknown }).ver;

function tableOnce<R extends object>(spec: TableSpec<R>): void {
  const table = maybeById<HTMLTableElement>(spec.id);
  if (!table) return;
  const rowVersion = spec.rowVersion ?? ownVersion;
  const cache = tableCache(spec);
  const sort = state.sort[spec.id] ?? spec.defaultSort;
  const limit = state.limits[spec.id] ?? PAGE_ROWS;
  const q = state.query.toLowerCase();
  const key = [spec.version, sort.key, sort.dir, limit, q, spec.filterKey ?? ''].join('\u0001');
  if (cache.key === key) return;
  cache.key = key;
  if (cache.sortShown !== sort.key + sort.dir) {
    cache.sortShown = sort.key + sort.dir;
    table.querySelectorAll('th').forEach((th) => {
      if (th.getAttribute('data-key') === sort.key) th.setAttribute('aria-sort', sort.dir); else th.removeAttribute('aria-sort');
    });
  }
  const col = spec.columns.filter((c) => c.key === sort.key)[0] ?? spec.columns[0]!;
  const filter = spec.filter;
  const matches = (row: R): boolean => (!filter || filter(row)) && (!q || haystack(cache, spec, rowVersion, row).includes(q));
  let rows: readonly R[];
  const filtering = filter || q;
  if (col.fixed && !col.num && spec.joined) {
    rows = fixedOrder(cache, spec, spec.joined, col, sort.dir);
    if (filtering) rows = rows.filter(matches);
  } else {
    rows = rowsOf(spec);
    rows = sortRows(filtering ? rows.filter(matches) : rows, col, sort.dir);
  }
  const shown = rows.slice(0, limit);
  const tbody = table.tBodies[0]!;
  const same = cache.shown.length === shown.length && shown.every((row, i) => cache.shown[i]!.row === row);
  if (same) {
    // The same rows in the same order: replace only those whose data changed.
    shown.forEach((row, i) => {
      const was = cache.shown[i]!; const ver = rowVersion(row);
      if (was.ver === ver) return;
      const tr = rowNode(spec, row);
      tbody.replaceChild(tr, was.tr);
      cache.shown[i] = { row, ver, tr };
    });
  } else {
    // Rows still shown whose data did not change keep their nodes, wherever they move to.
    const old = new Map(cache.shown.map((s) => [s.row, s]));
    const fragment = document.createDocumentFragment();
    cache.shown = shown.map((row) => {
      const was = old.get(row); const ver = rowVersion(row);
      const tr = was && was.ver === ver ? was.tr : rowNode(spec, row);
      fragment.appendChild(tr);
      return { row, ver, tr };
    });
    tbody.replaceChildren(fragment);
  }
  table.setAttribute('data-rows', String(rows.length));
  if (spec.note) noteFor(spec.id, spec.note, rows.length, shown.length);
}

function noteFor(id: string, noteId: string, matching: number, shown: number): void {
  const note = maybeById(noteId);
  if (!note) return;
  clear(note);
  note.appendChild(document.createTextNode(matching > shown ? `showing ${shown} of ${matching} matching; search to narrow, or ` : `${matching} shown`));
  if (matching > shown) {
    const more = el('button', 'more', `show ${Math.min(PAGE_ROWS, matching - shown)} more`);
    more.addEventListener('click', () => { state.limits[id] = shown + PAGE_ROWS; repaint.all(); });
    note.appendChild(more);
  }
}
