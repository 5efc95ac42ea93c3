// The inputs hash of a build (core/build-stamp.ts): the port's files, PREFIX
// and the content of every package in its sandbox. The port's files are
// what its scan read (the scan cache holds their hashes) and everything in
// its directory (patches and sources a scan need not read).

import type { BuildInputs } from '../core/job/build-stamp.js';
import { inputsText } from '../core/job/build-stamp.js';
import type { PkgName, PkgPath } from '../core/model.js';
import { hashInput, walkInputs } from '../ports/input-hash.js';
import type { PackageStamps } from './package-stamps.js';
import { sha256 } from './package-stamps.js';
import type { StoreScanCache } from './scan-cache-store.js';

export class BuildInputsOf {
  constructor(
    private readonly root: string,
    private readonly scans: StoreScanCache,
    private readonly stamps: PackageStamps,
    private readonly prefix: string,
  ) {}

  /**
   * Hash of the port's files. `fresh`: hash every file now (a job about to
   * build); otherwise the hashes the scan just checked are trusted.
   */
  portFiles(pkgpath: PkgPath, fresh: boolean): string {
    const hashes = new Map<string, string>();
    for (const [input, hash] of this.scans.entry(pkgpath)?.inputs ?? []) hashes.set(input, fresh ? hashInput(this.root, input) : hash);
    for (const input of walkInputs(this.root, pkgpath)) if (!hashes.has(input)) hashes.set(input, hashInput(this.root, input));
    const lines = [...hashes].map(([input, hash]) => `${JSON.stringify(input)} ${hash}`).sort();
    return sha256(lines.join('\n'));
  }

  /**
   * The inputs hash of `pkgname` built in a sandbox holding `sandbox`;
   * undefined when one of those has no readable package yet.
   */
  inputs(pkgname: PkgName, pkgpath: PkgPath, sandbox: readonly PkgName[], portFiles: string): string | undefined {
    const dependencies: [PkgName, string][] = [];
    for (const dep of sandbox) {
      const stamp = this.stamps.read(dep);
      if (stamp === undefined) return undefined;
      dependencies.push([dep, stamp.content]);
    }
    const inputs: BuildInputs = { pkgname, pkgpath, portFiles, prefix: this.prefix, dependencies };
    return sha256(inputsText(inputs));
  }
}
