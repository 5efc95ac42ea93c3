// Publishing a pkgsrc repository with rsync, as pbulk's upload does, with
// bob's two checks before anything leaves: at least `minimum` packages, and
// a package for every `required` pattern. Restricted packages (restricted.txt:
// NO_BIN_ON_FTP, RESTRICTED, and what needs them) are left out. What is
// uploaded is staged first beside the repository: the packages (hard links,
// or signed copies), then pkg_summary.{gz,bz2,xz}, pkg_files.gz and SHA512.bz2 of
// exactly those, and the summaries' signatures; rsync sends the packages
// first and the index last, so a client never sees an index naming a
// package that is not there yet.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { pkgMatch } from '../../core/resolve/pattern.js';
import { parseRestricted, RESTRICTED_FILE } from '../../core/resolve/restricted.js';
import { PKG_FILES, SHA512_FILE, writeIndexFiles } from './pkgsrc-index.js';

export interface PublishOptions {
  /** The repository: All/ and restricted.txt. */
  readonly repository: string;
  /** Where rsync puts it: a directory, or `host:directory`. */
  readonly target: string;
  readonly minimum: number;
  /** pkgsrc patterns that must each match a published package. */
  readonly required: readonly string[];
  /** Signs one package into `output` (pkgsrc's gpg-signed format); the error, if any. */
  readonly signPackage?: (input: string, output: string) => Promise<string | undefined>;
  /** Writes a detached signature `<file>.asc`; the error, if any. */
  readonly signSummary?: (file: string) => Promise<string | undefined>;
  readonly rsync: string;
}

export type PublishOutcome =
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'published'; readonly packages: number; readonly restricted: readonly string[]; readonly staged: string };

interface Entry { readonly pkgname: string; readonly fileName: string; readonly summary: string; readonly files: readonly string[] }

/** pkg_summary(5) blocks of a gzip'd file, by FILE_NAME. */
async function blocksOf(file: string): Promise<Map<string, string>> {
  const blocks = new Map<string, string>();
  const text = gunzipSync(await readFile(file)).toString('utf8');
  for (const block of text.split(/\n\n+/)) {
    const name = /^FILE_NAME=(.*)$/m.exec(block)?.[1];
    if (name !== undefined) blocks.set(name, block.replace(/^\n+|\n+$/g, ''));
  }
  return blocks;
}

async function readEntries(allDir: string): Promise<Entry[] | string> {
  let summaries: Map<string, string>;
  try {
    summaries = await blocksOf(join(allDir, 'pkg_summary.gz'));
  } catch (err) {
    return `cannot read ${join(allDir, 'pkg_summary.gz')} (build the repository first): ${(err as Error).message}`;
  }
  const lists = await blocksOf(join(allDir, PKG_FILES)).catch(() => new Map<string, string>());
  return [...summaries].map(([fileName, summary]) => ({
    fileName, summary, pkgname: /^PKGNAME=(.*)$/m.exec(summary)?.[1] ?? fileName.replace(/\.tgz$/, ''),
    files: [...(lists.get(fileName) ?? '').matchAll(/^FILES=(.*)$/gm)].map((m) => m[1]!),
  }));
}

export async function publishRepository(o: PublishOptions): Promise<PublishOutcome> {
  const allDir = join(o.repository, 'All');
  const entries = await readEntries(allDir);
  if (typeof entries === 'string') return { kind: 'refused', reason: entries };
  const restricted = parseRestricted(await readFile(join(o.repository, RESTRICTED_FILE), 'utf8').catch(() => ''));
  const present: Entry[] = [];
  for (const entry of entries) if ((await stat(join(allDir, entry.fileName)).catch(() => undefined))?.isFile() === true) present.push(entry);
  const published = present.filter((entry) => !restricted.has(entry.pkgname));
  const left = present.filter((entry) => restricted.has(entry.pkgname)).map((entry) => entry.pkgname);
  if (published.length < o.minimum) {
    return { kind: 'refused', reason: `only ${published.length} packages to publish, fewer than the minimum of ${o.minimum}` };
  }
  for (const pattern of o.required) {
    if (published.some((entry) => pkgMatch(pattern, entry.pkgname))) continue;
    const held = left.find((name) => pkgMatch(pattern, name));
    return { kind: 'refused', reason: held === undefined ? `no package matches the required ${pattern}` : `the required ${pattern} is ${held}, which is restricted (${restricted.get(held)})` };
  }
  const staged = join(o.repository, '.kiln-publish');
  const stagedAll = join(staged, 'All');
  await rm(staged, { recursive: true, force: true });
  await mkdir(stagedAll, { recursive: true });
  const facts = [];
  for (const entry of published) {
    const from = join(allDir, entry.fileName);
    const to = join(stagedAll, entry.fileName);
    let summary = entry.summary;
    if (o.signPackage !== undefined) {
      const error = await o.signPackage(from, to);
      if (error !== undefined) return { kind: 'failed', reason: `cannot sign ${entry.fileName}: ${error}` };
      summary = summary.replace(/^FILE_SIZE=.*$/m, `FILE_SIZE=${(await stat(to)).size}`);
    } else {
      await link(from, to).catch(() => copyFile(from, to));
    }
    facts.push({ fileName: entry.fileName, summary, files: entry.files, sha512: createHash('sha512').update(await readFile(to)).digest('hex') });
  }
  const written = await writeIndexFiles(stagedAll, facts);
  if (o.signSummary !== undefined) {
    for (const name of written.summaries) {
      const error = await o.signSummary(join(stagedAll, name));
      if (error !== undefined) return { kind: 'failed', reason: `cannot sign ${name}: ${error}` };
    }
  }
  const index = [...['pkg_summary.*', PKG_FILES].map((name) => `--exclude=/All/${name}`), `--exclude=/${SHA512_FILE}`];
  const target = o.target.endsWith('/') ? o.target : `${o.target}/`;
  for (const args of [[...index, `${staged}/`, target], [`${staged}/`, target]]) {
    const error = await run(o.rsync, ['-rlt', '--partial-dir=.rsync-partial', ...args]);
    if (error !== undefined) return { kind: 'failed', reason: error };
  }
  return { kind: 'published', packages: published.length, restricted: left, staged };
}

function run(command: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => resolve(`cannot run ${command}: ${err.message}`));
    child.on('close', (status) => resolve(status === 0 ? undefined : `${command} failed (exit status ${status}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
  });
}
