// The build's hosts, as the hosts files say while it runs: the `--hosts`
// file and `<logdir>/hosts.added` (what `kiln host add` appends), read at
// the start and again whenever one of them changes. A new line brings a new
// host up, a line that goes drains its host, a changed line gives the host
// its new slots, speed, cores and memory. A change counts once two looks in
// a row agree on it (a file may be read while it is written). A file that no
// longer parses, or names no host at all, is reported and the hosts stay as
// they were.

import { readFile } from 'node:fs/promises';

import type { HostSpec } from '../core/model.js';
import type { Executor, HostInfo } from '../exec/executor.js';
import { formatHostsFileError, parseHostsFile, type HostEntry, type HostsFile } from '../exec/hosts-file.js';

/** What the runtime needs of one host, made by the CLI (which picks the executor class). */
export interface RosterHost {
  readonly executor: Executor;
  readonly spec: HostSpec;
  readonly specFor?: (info: HostInfo) => HostSpec;
}

export interface RosterFactory {
  /** The engine's view of the host: before it reports (`spec`) and after (`specFor`). */
  specs(entry: HostEntry): Pick<RosterHost, 'spec' | 'specFor'>;
  /** The executor for a host that joins. */
  executor(entry: HostEntry, file: HostsFile): Executor;
}

export interface RosterChanges {
  add(host: RosterHost): void;
  remove(name: string): void;
  change(host: Pick<RosterHost, 'spec' | 'specFor'>): void;
  problem(text: string): void;
}

/** A source of hosts joining and leaving while the build runs. */
export interface HostRoster {
  start(changes: RosterChanges): void;
  stop(): void;
}

export interface RosterOptions {
  /** `--hosts FILE`, when given. */
  readonly hostsFile?: string;
  /** `<logdir>/hosts.added`. */
  readonly added: string;
  readonly fixed: readonly string[];
  readonly factory: RosterFactory;
  /** Seconds between looks at the files. */
  readonly pollS?: number;
}

export type RosterOpen =
  | { readonly ok: true; readonly roster: HostsFileRoster; readonly hosts: readonly RosterHost[] }
  | { readonly ok: false; readonly problems: readonly string[] };

interface Known {
  readonly entry: HostEntry;
  readonly key: string;
}

export class HostsFileRoster implements HostRoster {
  readonly #files: readonly string[];
  readonly #fixed: ReadonlySet<string>;
  readonly #factory: RosterFactory;
  readonly #pollS: number;
  #texts: readonly string[];
  /** Texts seen once that differ from the ones acted on: acted on when the next look sees them again. */
  #pending: readonly string[] | undefined;
  #known: Map<string, Known>;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  private constructor(files: readonly string[], fixed: ReadonlySet<string>, factory: RosterFactory, pollS: number, texts: readonly string[], known: Map<string, Known>) {
    this.#files = files;
    this.#fixed = fixed;
    this.#factory = factory;
    this.#pollS = pollS;
    this.#texts = texts;
    this.#known = known;
  }

  /**
   * Reads the hosts file (it must be there) and the added hosts (they may
   * not be yet) and makes the hosts they name. `fixed`: hosts the build has
   * without a line (the default localhost), which no line may name again.
   */
  static async open(o: RosterOptions): Promise<RosterOpen> {
    const files = [...(o.hostsFile === undefined ? [] : [o.hostsFile]), o.added];
    const texts = await readAll(files);
    if (o.hostsFile !== undefined && texts[0] === undefined) {
      const why = await readFile(o.hostsFile, 'utf8').then(() => 'changed while read', (err: Error) => err.message);
      return { ok: false, problems: [`${o.hostsFile}: cannot read: ${why}`] };
    }
    const fixed = new Set(o.fixed);
    const read = merge(files, texts, fixed);
    if (!read.ok) return read;
    const roster = new HostsFileRoster(files, fixed, o.factory, o.pollS ?? 1, texts.map((t) => t ?? ''), keyed(read.entries));
    const hosts = read.entries.map(({ entry, file }) => ({ ...o.factory.specs(entry), executor: o.factory.executor(entry, file) }));
    return { ok: true, roster, hosts };
  }

  start(changes: RosterChanges): void {
    this.#timer = setInterval(() => void this.#check(changes), this.#pollS * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #check(changes: RosterChanges): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const texts = (await readAll(this.#files)).map((t) => t ?? '');
      const same = (a: readonly string[] | undefined): boolean => a !== undefined && texts.every((t, i) => t === a[i]);
      if (same(this.#texts)) {
        this.#pending = undefined;
        return;
      }
      // A file being written may be read half-way: act on what two looks in a row agree on.
      if (!same(this.#pending)) {
        this.#pending = texts;
        return;
      }
      this.#pending = undefined;
      this.#texts = texts;
      const read = merge(this.#files, texts, this.#fixed);
      if (!read.ok || (read.entries.length === 0 && this.#known.size > 0)) {
        const why = read.ok ? ['no host is left in them (kiln stop drains every host)'] : read.problems;
        changes.problem(`the hosts stay as they were: ${why.join('; ')}`);
        return;
      }
      const next = keyed(read.entries);
      for (const name of this.#known.keys()) if (!next.has(name)) changes.remove(name);
      for (const { entry, file } of read.entries) {
        const before = this.#known.get(entry.name);
        if (!before) changes.add({ ...this.#factory.specs(entry), executor: this.#factory.executor(entry, file) });
        else if (before.key !== next.get(entry.name)?.key) changes.change(this.#factory.specs(entry));
      }
      this.#known = next;
    } finally {
      this.#checking = false;
    }
  }
}

type Merged =
  | { readonly ok: true; readonly entries: ReadonlyArray<{ readonly entry: HostEntry; readonly file: HostsFile }> }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Every host of every file, in order; a name given twice (or a fixed one) is
 * a problem. A file without STARTUP= takes the first file's: a host added
 * with `kiln host add` is set up as the hosts file's are.
 */
function merge(files: readonly string[], texts: ReadonlyArray<string | undefined>, fixed: ReadonlySet<string>): Merged {
  const entries: Array<{ entry: HostEntry; file: HostsFile }> = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  let startup: string | undefined;
  files.forEach((path, i) => {
    const parsed = parseHostsFile(texts[i] ?? '', path);
    if (!parsed.ok) {
      problems.push(...parsed.errors.map(formatHostsFileError));
      return;
    }
    if (i === 0) startup = parsed.hostsFile.startup;
    const file: HostsFile = parsed.hostsFile.startup === undefined && startup !== undefined ? { ...parsed.hostsFile, startup } : parsed.hostsFile;
    for (const entry of parsed.hostsFile.hosts) {
      const where = `${path}:${entry.line}`;
      if (fixed.has(entry.name)) problems.push(`${where}: ${entry.name} is already a host of this build`);
      else if (seen.has(entry.name)) problems.push(`${where}: ${entry.name} is already listed at ${seen.get(entry.name)}`);
      else {
        seen.set(entry.name, where);
        entries.push({ entry, file });
      }
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };
}

function keyed(entries: ReadonlyArray<{ readonly entry: HostEntry }>): Map<string, Known> {
  return new Map(entries.map(({ entry }) => {
    return [entry.name, { entry, key: JSON.stringify({ ...entry, line: 0 }) }];
  }));
}

/** Each file's text; undefined where it cannot be read (a hosts.added not made yet). */
async function readAll(files: readonly string[]): Promise<Array<string | undefined>> {
  return Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => undefined)));
}
