// Which file of the run directory a URL path names, if any. Only regular
// files inside the run directory, after every symlink is followed: `..`,
// encoded slashes, NUL bytes and links pointing outside are refused.

import { realpathSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

export type RunDirFile =
  | { readonly ok: true; readonly file: string; readonly size: number; readonly contentType: string }
  | { readonly ok: false; readonly status: 400 | 403 | 404; readonly why: string };

export function runDirFile(logdir: string, urlPath: string): RunDirFile {
  let relative: string;
  try {
    relative = urlPath.split('/').map((part) => decodeURIComponent(part)).join('/');
  } catch {
    return { ok: false, status: 400, why: 'bad escape in path' };
  }
  if (relative.includes('\0')) return { ok: false, status: 400, why: 'NUL in path' };
  const parts = relative.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('/'))) {
    return { ok: false, status: 403, why: 'path leaves the run directory' };
  }
  if (parts.length === 0) return { ok: false, status: 404, why: 'no file named' };
  let root: string;
  let real: string;
  try {
    root = realpathSync(logdir);
    real = realpathSync(resolve(root, ...parts));
  } catch {
    return { ok: false, status: 404, why: 'no such file' };
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 403, why: 'path leaves the run directory' };
  const stat = statSync(real);
  if (!stat.isFile()) return { ok: false, status: 404, why: 'not a file' };
  return { ok: true, file: real, size: stat.size, contentType: contentTypeOf(real) };
}

/** report.html is the only page; everything else is shown as text, so a log can never be run as markup. */
function contentTypeOf(file: string): string {
  if (file.endsWith(`${sep}report.html`)) return 'text/html; charset=utf-8';
  if (extname(file) === '.json' || extname(file) === '.jsonl') return 'application/json; charset=utf-8';
  return 'text/plain; charset=utf-8';
}
