// Helpers for the scan tests: trees made in temp directories, and the real
// `kiln` binary run on them.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: tests run from dist/test/e2e/. */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const examples = path.join(repo, 'examples');

/** A temp directory holding `files` (path relative to it: content). */
export async function makeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'kiln-scan-test-'));
  await writeFiles(root, files);
  return root;
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
}

export interface KilnRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function kiln(args: readonly string[], cwd = repo): Promise<KilnRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/kiln.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Minimal valid Portfile text. */
export const portfile = (pkgname: string, extra = ''): string => `PKGNAME=${pkgname}\n${extra}\nbuild() { :; }\ninstall() { :; }\n`;
