// What a package was built from, and whether it is still current.
//
// A package's inputs are its port's files (by content), PREFIX, and every
// package its sandbox held, each by the content of its package. Their hash
// goes into the package as KILN_INPUTS in +BUILD_INFO. A package's content
// is what `+CONTENTS` lists: its name, run-time dependency patterns, and
// each file with its MD5 (or a symlink with its target). Build dates, build
// hosts and the exact build dependencies (@blddep) are left out, so a
// rebuild that installs the same files has the same content, and what was
// built against it stays current: no needless cascade.
//
// The runtime hashes the texts made here (core does no hashing).

import type { CheckVerdict } from '../engine/engine-events.js';
import type { PkgName, PkgPath } from '../model.js';
import type { PackingList } from '../package-format/packing-list.js';
import { oneLine } from '../formats/one-line.js';

/** The +BUILD_INFO key of the inputs hash. */
export const INPUTS_KEY = 'KILN_INPUTS';

/** Bumped when what goes into a build changes in a way the inputs do not show. */
const INPUTS_VERSION = 1;

export interface BuildInputs {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  /** Hash of the port's files. */
  readonly portFiles: string;
  readonly prefix: string;
  /** Every package the sandbox holds, with its content hash. */
  readonly dependencies: readonly (readonly [pkgname: PkgName, content: string])[];
}

/** The canonical text of a build's inputs: equal texts, equal builds. */
export function inputsText(inputs: BuildInputs): string {
  const deps = [...inputs.dependencies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    `kiln-inputs ${INPUTS_VERSION}`,
    `pkgname ${oneLine(inputs.pkgname)}`,
    `pkgpath ${oneLine(inputs.pkgpath)}`,
    `port ${oneLine(inputs.portFiles)}`,
    `prefix ${oneLine(inputs.prefix)}`,
    ...deps.map(([name, content]) => `depends ${oneLine(name)} ${oneLine(content)}`),
  ].join('\n') + '\n';
}

/** The canonical text of a package's content, from its packing list. */
export function contentText(list: PackingList): string {
  const lines = [`@name ${list.pkgname}`, ...list.pkgdeps.map((d) => `@pkgdep ${d}`)];
  for (const file of list.files) {
    if (file.symlink !== undefined) lines.push(`${file.path} -> ${file.symlink}`);
    else lines.push(`${file.path} ${file.md5 ?? '-'}`);
  }
  for (const dir of list.pkgdirs) lines.push(`@pkgdir ${dir}`);
  return lines.join('\n') + '\n';
}

/** A failed port's lock, as far as currency is concerned. */
export interface FailedRecord {
  readonly inputs: string | undefined;
  readonly phase: string;
  readonly error: string;
  /** Who failed it and how to build it again, for the report. */
  readonly reason: string;
  /** That job's log and host, for the report. */
  readonly log?: string;
  readonly host?: string;
}

export interface CurrencyFacts {
  /** The inputs this run would build the package from. */
  readonly inputs: string;
  /** KILN_INPUTS of its package file, when there is one. */
  readonly stamped: string | undefined;
  /** This run built that package file (a resumed run). */
  readonly builtHere: boolean;
  /** `--force` or `--rebuild-all` names it. */
  readonly forced: boolean;
  /** Its port's lock, when it failed and the lock is still there. */
  readonly failed: FailedRecord | undefined;
}

/** Whether a package whose dependencies are all built needs building. */
export function judge(facts: CurrencyFacts): CheckVerdict {
  const current = facts.stamped !== undefined && facts.stamped === facts.inputs;
  if (current && facts.builtHere) return { status: 'done' };
  if (current && !facts.forced) return { status: 'up-to-date' };
  const failed = facts.failed;
  if (failed && failed.phase !== 'infrastructure' && failed.inputs === facts.inputs && !facts.forced) {
    return {
      status: 'failed', phase: failed.phase, error: failed.error, reason: failed.reason,
      ...(failed.log !== undefined && { log: failed.log }), ...(failed.host !== undefined && { host: failed.host }),
    };
  }
  return { status: 'open' };
}
