// Turns what a Portfile defined into its pbulk-index block. A Portfile that
// did not source, or names no versioned PKGNAME, gives an unscannable block;
// a bad dependency entry or bad metadata keeps the real PKGNAME and becomes a
// PKG_FAIL_REASON, so the port is reported and its dependents are blocked.

import type { PkgPath } from '../../core/model.js';
import { formatBlock, hasControl } from '../index-block.js';
import { distfileNameProblem } from '../../core/distfiles/distinfo.js';
import { isCanonicalDependencyDir } from '../../core/pkgpath.js';
import { FEATURE_NAME } from '../../core/engine/host-features.js';
import type { PortfileVariable } from './scan-program.js';
import type { Value } from './scan-output.js';

/** `name-version`, the version starting with a digit; nothing a pattern or a shell would read specially. */
const PKGNAME = /^[A-Za-z0-9._+~-]+-[0-9][A-Za-z0-9._+~]*$/;

export type PortfileBlock =
  | { readonly kind: 'block'; readonly index: string }
  /** The port cannot be scanned; `error` is the message. */
  | { readonly kind: 'unscannable'; readonly error: string };

export interface PortfileFacts {
  readonly pkgpath: PkgPath;
  readonly values: ReadonlyMap<PortfileVariable, Value>;
  /** Files the Portfile sourced, relative to the port directory (pkgsrc's SCAN_DEPENDS). */
  readonly scanDepends: readonly string[];
}

function pkgnameOf(value: Value | undefined): { pkgname: string } | { error: string } {
  if (!value || value.kind === 'unset') return { error: 'the Portfile sets no PKGNAME' };
  if (value.kind !== 'scalar') return { error: `PKGNAME must be a string, not an ${value.kind === 'assoc' ? 'associative ' : ''}array` };
  if (value.value === '') return { error: 'the Portfile sets PKGNAME to the empty string' };
  if (!PKGNAME.test(value.value)) {
    return { error: `PKGNAME ${JSON.stringify(value.value)} is not name-version (a version starting with a digit, no blanks or special characters)` };
  }
  return { pkgname: value.value };
}

export function portfileBlock(facts: PortfileFacts): PortfileBlock {
  const get = (name: PortfileVariable): Value => facts.values.get(name) ?? { kind: 'unset' };
  const name = pkgnameOf(get('PKGNAME'));
  if ('error' in name) return { kind: 'unscannable', error: name.error };
  const failReasons = reasons(get('PKG_FAIL_REASON'));
  const text = (variable: PortfileVariable): string => {
    const value = get(variable);
    switch (value.kind) {
      case 'unset': return '';
      case 'scalar': case 'array': {
        const joined = value.kind === 'scalar' ? value.value : value.values.join(' ');
        if (hasControl(joined)) failReasons.push(`${variable} holds a newline or another control character: metadata must be one line`);
        return joined;
      }
      case 'assoc':
        failReasons.push(`${variable} must be a string, not an associative array`);
        return '';
    }
  };
  const depends = dependencyTokens('DEPENDS', get('DEPENDS'), failReasons);
  const buildDepends = dependencyTokens('BUILD_DEPENDS', get('BUILD_DEPENDS'), failReasons);
  const makeJobsSafe = text('MAKE_JOBS_SAFE');
  if (makeJobsSafe !== '' && makeJobsSafe !== 'yes' && makeJobsSafe !== 'no') {
    failReasons.push(`MAKE_JOBS_SAFE must be yes or no, not ${JSON.stringify(makeJobsSafe)}`);
  }
  const useDistcc = text('USE_DISTCC');
  if (useDistcc !== '' && useDistcc !== 'yes' && useDistcc !== 'no') {
    failReasons.push(`USE_DISTCC must be yes or no, not ${JSON.stringify(useDistcc)}`);
  }
  const distfiles = wordList('DISTFILES', get('DISTFILES'), failReasons, distfileNameProblem);
  const masterSites = wordList('MASTER_SITES', get('MASTER_SITES'), failReasons, siteProblem);
  const hostFeatures = wordList('HOST_FEATURES', get('HOST_FEATURES'), failReasons, featureProblem);
  const categories = text('CATEGORIES');
  const fields = {
    comment: text('COMMENT'), homepage: text('HOMEPAGE'), license: text('LICENSE'), maintainer: text('MAINTAINER'),
    noBinOnFtp: text('NO_BIN_ON_FTP'), restricted: text('RESTRICTED'),
  };
  return {
    kind: 'block',
    index: formatBlock({
      pkgname: name.pkgname, pkgpath: facts.pkgpath, allDepends: [...depends, ...buildDepends],
      skipReasons: reasons(get('PKG_SKIP_REASON')), failReasons, ...fields,
      categories: categories.trim() === '' ? facts.pkgpath.split('/')[0] ?? '' : categories,
      scanDepends: facts.scanDepends, runDepends: depends, makeJobsSafe: makeJobsSafe === 'no' ? 'no' : 'yes',
      distfiles, masterSites, hostFeatures, ...(useDistcc === 'yes' && { useDistcc: true }),
    }),
  };
}

/** A reason variable: one string, or an array of them (pkgsrc's list of reasons). Empty ones say nothing. */
function reasons(value: Value): string[] {
  switch (value.kind) {
    case 'unset': return [];
    case 'scalar': return value.value === '' ? [] : [value.value];
    case 'array': return value.values.filter((reason) => reason !== '');
    case 'assoc': return ['the reason is an associative array'];
  }
}

/** The valid `pattern:../../category/name` tokens; each bad entry becomes a fail reason naming it. */
function dependencyTokens(variable: 'DEPENDS' | 'BUILD_DEPENDS', value: Value, failReasons: string[]): string[] {
  let entries: readonly string[];
  switch (value.kind) {
    case 'unset': return [];
    case 'scalar': entries = value.value.split(/[ \t\n]+/).filter((entry) => entry !== ''); break;
    case 'array': entries = value.values; break;
    case 'assoc':
      failReasons.push(`${variable} must be an array of pattern:../../category/name, not an associative array`);
      return [];
  }
  const tokens: string[] = [];
  for (const entry of entries) {
    const problem = dependencyProblem(entry);
    if (problem) failReasons.push(`bad ${variable} entry ${JSON.stringify(entry)}: ${problem}`);
    else tokens.push(entry);
  }
  return tokens;
}

function dependencyProblem(entry: string): string | undefined {
  if (/\s/.test(entry) || hasControl(entry)) return 'it holds blanks or control characters';
  const colon = entry.lastIndexOf(':');
  if (colon === -1) return 'no ":" between the pattern and the directory';
  if (colon === 0) return 'the pattern before ":" is empty';
  const dir = entry.slice(colon + 1);
  if (!isCanonicalDependencyDir(dir)) return `${JSON.stringify(dir)} is not ../../category/name inside the tree`;
  return undefined;
}

/** DISTFILES or MASTER_SITES: words (an array, or a string split at blanks); each bad one becomes a fail reason naming it. */
function wordList(variable: 'DISTFILES' | 'MASTER_SITES' | 'HOST_FEATURES', value: Value, failReasons: string[], problemOf: (word: string) => string | undefined): string[] {
  let words: readonly string[];
  switch (value.kind) {
    case 'unset': return [];
    case 'scalar': words = value.value.split(/[ \t\n]+/).filter((word) => word !== ''); break;
    case 'array': words = value.values.filter((word) => word !== ''); break;
    case 'assoc':
      failReasons.push(`${variable} must be an array, not an associative array`);
      return [];
  }
  const good: string[] = [];
  for (const word of words) {
    const problem = problemOf(word);
    if (problem) failReasons.push(`bad ${variable} entry ${JSON.stringify(word)}: ${problem}`);
    else if (!good.includes(word)) good.push(word);
  }
  return good;
}

/** Why a HOST_FEATURES entry is not a feature name a hosts file could offer, or undefined. */
function featureProblem(word: string): string | undefined {
  return FEATURE_NAME.test(word) ? undefined : "not a feature name (letters, digits, '.', '_', '+', '-', as in a hosts file's features=)";
}

/** Why a MASTER_SITES entry is not a base URL kiln can fetch from, or undefined. */
function siteProblem(site: string): string | undefined {
  if (hasControl(site) || /\s/.test(site)) return 'it holds blanks or control characters';
  if (!/^https?:\/\/[^/?#\s]+/i.test(site)) return 'not an http:// or https:// URL (kiln fetches over HTTP)';
  return undefined;
}
