// One HTTP(S) transfer of a distfile into an open file: from `offset` on
// (a Range request) when a partial file is there, following at most a few
// redirects, ended by a connect timeout, a stall timeout (no byte for that
// long) and a byte limit (the distinfo's size: more is already wrong).
// Node's own http and https; nothing here throws for what a server does.

import { createWriteStream, type WriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline, Transform } from 'node:stream';

export interface TransferLimits {
  readonly connectTimeoutS: number;
  readonly stallTimeoutS: number;
  readonly maxRedirects: number;
}

export const DEFAULT_TRANSFER_LIMITS: TransferLimits = { connectTimeoutS: 20, stallTimeoutS: 30, maxRedirects: 5 };

export type Transfer =
  /** The body arrived whole; `appended`: it continued the partial file (206). */
  | { readonly kind: 'complete'; readonly bytes: number; readonly appended: boolean; readonly url: string }
  /** The server answered but not with the file (404, 500, ...). */
  | { readonly kind: 'status'; readonly status: number; readonly url: string }
  /**
   * The connection failed, stalled or broke; `bytes` arrived before (and are in the file).
   * `retry`: another try at the same URL may do better (not after a cut, a stop or a URL kiln cannot fetch).
   */
  | { readonly kind: 'broken'; readonly reason: string; readonly bytes: number; readonly appended: boolean; readonly url: string; readonly retry: boolean };

/**
 * GETs `url` into `file`: appended from `offset` when the server answers a
 * Range request with 206, else the file is written from its start.
 * `maxBytes`: the whole file's size; a body that would pass it is cut.
 */
export function transfer(url: string, file: string, offset: number, maxBytes: number, limits: TransferLimits, signal: AbortSignal): Promise<Transfer> {
  return get(url, file, offset, maxBytes, limits, signal, 0);
}

async function get(url: string, file: string, offset: number, maxBytes: number, limits: TransferLimits, signal: AbortSignal, hops: number): Promise<Transfer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'broken', reason: 'not a URL', bytes: 0, appended: false, url, retry: false };
  }
  const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
  if (client === undefined) return { kind: 'broken', reason: `kiln does not fetch ${parsed.protocol.replace(':', '')} URLs`, bytes: 0, appended: false, url, retry: false };
  const answer = await new Promise<Transfer | { redirect: string }>((resolve) => {
    let settled = false;
    let bytes = 0;
    let appended = false;
    let start = 0;
    let out: WriteStream | undefined;
    // Every ending comes here: the output file is closed (its pending writes done or dropped)
    // before the answer is given, so the next try's stat of the file sees all there is.
    const finish = (result: Transfer | { redirect: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(stallTimer);
      signal.removeEventListener('abort', onAbort);
      if (out === undefined || out.closed) {
        request.destroy();
        resolve(result);
        return;
      }
      out.once('close', () => resolve(result));
      if (!out.writableEnded) out.end();
      request.destroy();
    };
    const broken = (reason: string, retry = true): void => finish({ kind: 'broken', reason, bytes, appended, url, retry });
    const headers: Record<string, string> = { 'user-agent': 'kiln-fetch', accept: '*/*' };
    if (offset > 0) headers['range'] = `bytes=${offset}-`;
    const request = client.get(parsed, { headers, agent: false });
    const connectTimer = setTimeout(() => broken(`no connection in ${limits.connectTimeoutS} s`), limits.connectTimeoutS * 1000);
    let stallTimer: NodeJS.Timeout | undefined;
    const stalled = (): void => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => broken(`no data for ${limits.stallTimeoutS} s`), limits.stallTimeoutS * 1000);
    };
    const onAbort = (): void => broken('stopped', false);
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket) => socket.once('connect', () => { clearTimeout(connectTimer); stalled(); }));
    request.on('error', (err) => broken(err.message));
    request.on('response', (response) => {
      clearTimeout(connectTimer);
      stalled();
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location !== undefined) {
        response.resume();
        finish({ redirect: new URL(response.headers.location, parsed).toString() });
        return;
      }
      if (status !== 200 && status !== 206) {
        response.resume();
        finish({ kind: 'status', status, url });
        return;
      }
      appended = status === 206 && offset > 0 && (response.headers['content-range'] ?? '').startsWith(`bytes ${offset}-`);
      start = appended ? offset : 0;
      const written = createWriteStream(file, appended ? { flags: 'a' } : { flags: 'w', mode: 0o644 });
      out = written;
      let writeError: string | undefined;
      written.once('error', (err) => { writeError = `cannot write ${file}: ${err.message}`; });
      // Counts what arrives and cuts the body at the distinfo's size; the pipe keeps to the disk's pace.
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback): void {
          stalled();
          if (start + bytes + chunk.length > maxBytes) {
            broken(`sent more than the distinfo's ${maxBytes} bytes`, false);
            callback();
            return;
          }
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      pipeline(response, counted, written, (err) => {
        if (writeError !== undefined) broken(writeError, false);
        else if (err || !response.complete) broken(`the connection broke after ${start + bytes} bytes`);
        else finish({ kind: 'complete', bytes, appended, url });
      });
    });
  });
  if ('redirect' in answer) {
    if (hops >= limits.maxRedirects) return { kind: 'broken', reason: `more than ${limits.maxRedirects} redirects`, bytes: 0, appended: false, url, retry: false };
    return get(answer.redirect, file, offset, maxBytes, limits, signal, hops + 1);
  }
  return answer;
}
