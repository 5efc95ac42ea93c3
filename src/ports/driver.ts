// A tree driver asks a ports tree for its metadata. Both drivers answer in
// pbulk-index format (KEY=VALUE lines, one block per pkgname, PKG_LOCATION
// added after PKGNAME), so everything after the scan is the same for both.

import type { PkgPath } from '../core/model.js';

/** Called with a directory (escaped for a terminal or a page) that looks like a port but cannot be one, and why. */
export type NotAPort = (dir: string, reason: string) => void;

export type ScanResult =
  /** `index`: one or more pbulk-index blocks, each ending in a newline. */
  | { readonly kind: 'scanned'; readonly pkgpath: PkgPath; readonly index: string; readonly seconds: number }
  /** The port could not be scanned at all; the error says why. */
  | { readonly kind: 'error'; readonly pkgpath: PkgPath; readonly error: string; readonly seconds: number };

export interface TreeDriver {
  readonly kind: 'portfile' | 'pkgsrc';
  /** Absolute path of the tree. */
  readonly root: string;
  /** Every pkgpath of the tree, sorted; a directory that looks like a port but cannot be one goes to `notAPort`. */
  listPorts(signal: AbortSignal, notAPort?: NotAPort): Promise<PkgPath[]>;
  /** Scans one port. Never throws for a broken port: that is an `error` result. */
  scanPort(pkgpath: PkgPath, signal: AbortSignal): Promise<ScanResult>;
}
