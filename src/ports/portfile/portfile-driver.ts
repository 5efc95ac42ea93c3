// The tree driver for kiln's own format: `category/name/Portfile`, a bash
// script. Each port is scanned by one bash, inside a bubblewrap sandbox,
// running the fixed program of scan-program.ts with the Portfile's path as
// its argument; the values come back as NUL-separated records and are never
// evaluated.

import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { PkgPath } from '../../core/model.js';
import { parseIndex } from '../../core/formats/pbulk-index.js';
import type { NotAPort, ScanResult, TreeDriver } from '../driver.js';
import { unscannableBlock } from '../index-block.js';
import { walkInputs } from '../input-hash.js';
import type { ScanInputs } from '../scan-cache.js';
import { firstLine, runScanCommand } from '../scan-process.js';
import { sandboxArgv } from '../scan-sandbox.js';
import { isInside, listPortfiles, locatePortfile } from './list-ports.js';
import { portfileBlock } from './portfile-block.js';
import { parseScanOutput } from './scan-output.js';
import { SCAN_PROGRAM } from './scan-program.js';

export interface PortfileDriverOptions {
  /** A scan still running after this many seconds is killed. Default 30. */
  readonly timeoutS?: number;
  /** The bubblewrap binary. Default `bwrap` from PATH. */
  readonly bwrap?: string;
  /**
   * Whom bubblewrap runs as. Started by root, it maps the scan's user to
   * root, whose owner bits open root-only files; started as this user, the
   * scan has only this user's access. Default: kiln's own user.
   */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
}

/** Bumped whenever the block a scan gives changes for the same Portfile. */
const BLOCK_FORMAT = 'portfile-block-1';

const SCAN_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', TMPDIR: '/tmp', LC_ALL: 'C' } as const;

export class PortfileDriver implements TreeDriver, ScanInputs {
  readonly kind = 'portfile' as const;
  /** Absolute, symlinks resolved: the sandbox binds it at this path. */
  readonly root: string;
  readonly fingerprint = createHash('sha256').update(BLOCK_FORMAT).update(SCAN_PROGRAM).digest('hex').slice(0, 16);
  private readonly timeoutS: number;
  private readonly bwrap: string;
  private readonly user: PortfileDriverOptions['user'];

  constructor(root: string, options: PortfileDriverOptions = {}) {
    const absolute = path.resolve(root);
    try {
      this.root = realpathSync(absolute);
    } catch {
      this.root = absolute;
    }
    this.timeoutS = options.timeoutS ?? 30;
    this.bwrap = options.bwrap ?? 'bwrap';
    this.user = options.user;
  }

  listPorts(_signal: AbortSignal, notAPort?: NotAPort): Promise<PkgPath[]> {
    return listPortfiles(this.root, notAPort);
  }

  async scanPort(pkgpath: PkgPath, signal: AbortSignal): Promise<ScanResult> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    const scanned = (index: string): ScanResult => ({ kind: 'scanned', pkgpath, index, seconds: seconds() });
    const location = await locatePortfile(this.root, pkgpath);
    if (location.kind === 'missing') return scanned(unscannableBlock(pkgpath, location.reason));
    const argv = sandboxArgv(this.bwrap, { readOnly: [this.root], cwd: location.portDir, env: SCAN_ENV },
      ['bash', '-c', SCAN_PROGRAM, 'kiln-scan', location.portfile]);
    const exit = await runScanCommand({ argv, cwd: this.root, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeoutS: this.timeoutS, user: this.user }, signal);
    const failed = (error: string): ScanResult => ({ kind: 'error', pkgpath, error, seconds: seconds() });
    switch (exit.kind) {
      case 'spawn-failed': return failed(`cannot start the scan sandbox (${this.bwrap}): ${exit.error}`);
      case 'aborted': return failed('the scan was stopped');
      case 'timed-out': return failed(`the scan took longer than ${this.timeoutS} s and was killed`);
      case 'signalled': return failed(`the scan was killed by ${exit.signal}`);
      case 'exited': break;
    }
    const stderr = firstLine(exit.stderr);
    if (exit.stdout.length === 0 && stderr.startsWith('bwrap:')) return failed(`the scan sandbox failed: ${stderr}`);
    const unscannable = (error: string): ScanResult => scanned(unscannableBlock(pkgpath, stderr === '' ? error : `${error}: ${stderr}`));
    if (exit.truncated) return unscannable('the scan wrote too much output');
    const output = parseScanOutput(exit.stdout);
    if ('error' in output) return unscannable(exit.status === 0 ? output.error : `${output.error}, exit status ${exit.status}`);
    if (output.status !== 0) return unscannable(`the Portfile failed to source (status ${output.status})`);
    const block = portfileBlock({ pkgpath, values: output.values, scanDepends: this.scanDepends(location.portDir, output.sourced) });
    return scanned(block.kind === 'block' ? block.index : unscannableBlock(pkgpath, block.error));
  }

  /** Sourced files inside the tree, relative to the port directory, then the Portfile itself (pkgsrc ends with its Makefile). */
  private scanDepends(portDir: string, sourced: readonly string[]): string[] {
    const files = new Set<string>();
    for (const file of sourced) {
      const absolute = path.resolve(portDir, file);
      if (isInside(this.root, absolute)) files.add(path.relative(portDir, absolute));
    }
    files.delete('Portfile');
    return [...files, 'Portfile'];
  }

  /** For the scan cache: every file of the port directory, and the tree files its Portfile sourced. */
  inputs(pkgpath: PkgPath, index: string): Promise<string[]> {
    const inputs = walkInputs(this.root, pkgpath);
    const inPort = new Set(inputs);
    for (const entry of parseIndex(index).entries) {
      for (const file of (entry.vars.get('SCAN_DEPENDS') ?? '').split(' ')) {
        if (file === '') continue;
        const rel = path.posix.normalize(path.posix.join(pkgpath, file));
        if (!rel.startsWith('../') && !inPort.has(rel)) {
          inPort.add(rel);
          inputs.push(rel);
        }
      }
    }
    return Promise.resolve(inputs);
  }
}
