// Gets one distfile into DISTDIR, verified, or says why it cannot: under
// its lock, a file already there is verified (a corrupt one is moved aside
// to `<name>.corrupt`); otherwise each URL in turn, a few attempts each,
// into `<name>.kiln-part` (a broken transfer resumed with Range, or begun
// again), verified, and only then renamed to its name. So DISTDIR never
// holds a partial or wrong file under a distfile's name.

import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { Digest } from '../core/distfiles/distinfo.js';
import { DEFAULT_TRANSFER_LIMITS, transfer } from './http-get.js';
import { verifyFile } from './verify.js';

export interface DistfileRequest {
  readonly name: string;
  readonly size: number;
  readonly digests: readonly Digest[];
  /** Full URLs, in the order to try them. */
  readonly urls: readonly string[];
}

/** What one URL answered. */
export interface Attempt {
  readonly url: string;
  /** `200, 18342 bytes, verified`, `404`, `SHA512 mismatch: expected ..., got ...`, `the connection broke after 4096 bytes`. */
  readonly answer: string;
  readonly ok: boolean;
  readonly bytes: number;
  readonly seconds: number;
}

export type DistfileResult =
  /** `fetched`: false when the file was already there and verified (nothing was asked of any server). */
  | { readonly ok: true; readonly name: string; readonly file: string; readonly fetched: boolean; readonly attempts: readonly Attempt[] }
  | { readonly ok: false; readonly name: string; readonly reason: string; readonly attempts: readonly Attempt[] };

/** A held distfile lock; `problem`: a lock is there that cannot be read; undefined: stopped while waiting. */
export type DistfileLockResult = { readonly release: () => void } | { readonly problem: string } | undefined;

/** Takes the lock of the distfile kept at `file`, waiting while another process fetches it (runtime/distfile-lock.ts). */
export type DistfileLocker = (file: string, signal: AbortSignal) => Promise<DistfileLockResult>;

/** What a distfile is called in DISTDIR while it comes. */
export const PART_SUFFIX = '.kiln-part';

/** Attempts per URL when the transfer breaks (a 404 or a bad checksum is not tried again there). */
const TRIES_PER_SITE = 3;

export interface FetchOptions {
  readonly distdir: string;
  readonly lock: DistfileLocker;
  /** Waits for the turn of `url`'s site (at most so many fetches per site); the fetch's previous site's turn is given back. */
  readonly siteTurn?: (url: string) => Promise<void>;
  /** Told when the transfer from `url` begins (the views: a fetch is running). */
  readonly transferring?: (url: string) => void;
  /** Told after each attempt (fetch.log, the views). */
  readonly attempted?: (attempt: Attempt) => void;
  readonly signal: AbortSignal;
}

export async function fetchDistfile(request: DistfileRequest, options: FetchOptions): Promise<DistfileResult> {
  const file = join(options.distdir, request.name);
  const attempts: Attempt[] = [];
  const failed = (reason: string): DistfileResult => ({ ok: false, name: request.name, reason, attempts });
  await mkdir(dirname(file), { recursive: true });
  const lock = await options.lock(file, options.signal);
  if (lock === undefined) return failed('the fetch was stopped');
  if ('problem' in lock) return failed(`${request.name}: ${lock.problem}`);
  try {
    const present = await verifyFile(file, request.size, request.digests);
    if (present.ok) return { ok: true, name: request.name, file, fetched: false, attempts };
    if (!present.missing) await rename(file, `${file}.corrupt`).catch(() => rm(file, { force: true }));
    if (request.urls.length === 0) return failed(`${request.name} is not in ${options.distdir} and the port names no MASTER_SITES`);
    const part = `${file}${PART_SUFFIX}`;
    await rm(part, { force: true });
    for (const url of request.urls) {
      const attempt = await fromSite(url, part, request, options);
      attempts.push(...attempt.tries);
      if (attempt.ok) {
        await rename(part, file);
        return { ok: true, name: request.name, file, fetched: true, attempts };
      }
      await rm(part, { force: true });
      if (options.signal.aborted) return failed('the fetch was stopped');
    }
    return failed(`${request.name} could not be had: ${answers(attempts)}`);
  } finally {
    lock.release();
  }
}

/** Up to TRIES_PER_SITE transfers from one URL, resuming what arrived; verified when whole. */
async function fromSite(url: string, part: string, request: DistfileRequest, options: FetchOptions): Promise<{ ok: boolean; tries: Attempt[] }> {
  const tries: Attempt[] = [];
  await options.siteTurn?.(url);
  options.transferring?.(url);
  for (let n = 0; n < TRIES_PER_SITE && !options.signal.aborted; n++) {
    const began = performance.now();
    const offset = await stat(part).then((s) => s.size, () => 0);
    const got = await transfer(url, part, offset, request.size, DEFAULT_TRANSFER_LIMITS, options.signal);
    const seconds = (performance.now() - began) / 1000;
    const note = (answer: string, ok: boolean, bytes: number): Attempt => {
      const attempt = { url, answer, ok, bytes, seconds };
      tries.push(attempt);
      options.attempted?.(attempt);
      return attempt;
    };
    const via = got.url === url ? '' : ` (from ${got.url})`;
    switch (got.kind) {
      case 'status':
        note(`HTTP ${got.status}${via}`, false, 0);
        return { ok: false, tries };
      case 'broken':
        note(`${got.reason}${got.appended ? `, resumed at byte ${offset}` : ''}${via}`, false, got.bytes);
        if (!got.retry) return { ok: false, tries };
        continue;
      case 'complete': {
        const verdict = await verifyFile(part, request.size, request.digests);
        const resumed = got.appended ? `, resumed at byte ${offset}` : '';
        if (verdict.ok) {
          note(`${got.bytes} bytes${resumed}, verified${via}`, true, got.bytes);
          return { ok: true, tries };
        }
        note(`${verdict.reason}${resumed}${via}`, false, got.bytes);
        return { ok: false, tries };
      }
    }
  }
  return { ok: false, tries };
}

/** Each URL with what it answered, in order; the same answer again is counted, not repeated. */
function answers(attempts: readonly Attempt[]): string {
  const byUrl = new Map<string, Map<string, number>>();
  for (const { url, answer } of attempts) {
    const seen = byUrl.get(url) ?? new Map<string, number>();
    seen.set(answer, (seen.get(answer) ?? 0) + 1);
    byUrl.set(url, seen);
  }
  return [...byUrl].map(([url, seen]) => `${url}: ${[...seen].map(([answer, n]) => (n > 1 ? `${answer} (${n} times)` : answer)).join(', ')}`).join('; ');
}
