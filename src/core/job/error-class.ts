// Why a build failed, in one word an operator can sort and count by: read
// from the failing phase's log by an ordered list of patterns. The first
// rule that matches wins, so the most specific evidence comes first (a
// missing header is also a compiler error, a compiler error ends in a make
// error). Pure: the runtime reads the log and hands its text in.

import type { Phase } from '../model.js';

export type ErrorClass =
  | 'timeout'
  | 'stuck'
  | 'out of memory'
  | 'disk full'
  | 'killed'
  | 'fetch'
  | 'checksum'
  | 'patch'
  | 'missing dependency'
  | 'missing header'
  | 'linker error'
  | 'compiler error'
  | 'configure error'
  | 'plist'
  | 'install error'
  | 'package error'
  | 'build error'
  | 'infrastructure'
  | 'unknown';

/** Every class, in the order the rules try them; for legends and tests. */
export const ERROR_CLASSES: readonly ErrorClass[] = [
  'timeout', 'stuck', 'out of memory', 'disk full', 'killed', 'fetch', 'checksum', 'patch',
  'missing dependency', 'missing header', 'linker error', 'compiler error', 'configure error',
  'plist', 'install error', 'package error', 'build error', 'infrastructure', 'unknown',
];

/** How much of the end of a log the patterns look at. */
export const LOG_TAIL_BYTES = 64 * 1024;

interface Rule {
  readonly error: ErrorClass;
  /** Any of these in the log's tail. */
  readonly log?: readonly RegExp[];
  /** Any of these in the coarse error the sandbox gave (`timeout`, `killed`, `exit status 2`). */
  readonly coarse?: readonly RegExp[];
}

// Ordered: the first match wins.
const RULES: readonly Rule[] = [
  { error: 'timeout', coarse: [/\btime(d)?[ -]?out\b/i] },
  { error: 'stuck', coarse: [/\bstuck\b/i, /\bno output\b/i, /\bidle\b/i] },
  {
    error: 'out of memory',
    coarse: [/\bout of memory\b/i, /\boom\b/i],
    log: [
      /virtual memory exhausted/i,
      /\bout of memory\b/i,
      /cannot allocate memory/i,
      /Killed signal terminated program (cc1|cc1plus|cc1obj|lto1|as|ld)\b/,
      /JavaScript heap out of memory/,
      /std::bad_alloc/,
      /\bMemoryError\b/,
      /memory allocation of \d+ bytes failed/,
      /LLVM ERROR: out of memory/i,
    ],
  },
  { error: 'disk full', log: [/No space left on device/i, /Disk quota exceeded/i], coarse: [/disk full|no space left/i] },
  { error: 'killed', coarse: [/\bkilled\b/i, /\bsignal\b/i, /\bSIG[A-Z]+\b/, /exit status 13[07]\b/] },
  {
    error: 'checksum',
    log: [
      /checksum (mismatch|failed)/i,
      /\b(SHA1|SHA256|SHA512|RMD160|BLAKE2s|MD5) mismatch\b/i,
      /\bSize mismatch for\b/i,
      /No checksum recorded for/i,
      /distinfo.* (does not match|mismatch)/i,
    ],
  },
  {
    error: 'fetch',
    log: [
      /Unable to fetch/i,
      /Could not fetch/i,
      /\bfailed to fetch\b/i,
      /^fetch: .+: (Not Found|Connection refused|No address record|Operation timed out)/im,
      /curl: \(\d+\) /,
      /wget: unable to resolve host/i,
      /ERROR 404: Not Found/,
      /Could not resolve host/i,
    ],
  },
  {
    error: 'patch',
    log: [
      /Hunk #\d+ FAILED/,
      /^patch: \*\*\*\* /m,
      /Reversed \(or previously applied\) patch detected/,
      /malformed patch at line/i,
      /Patching failed/i,
      /can't find file to patch/i,
    ],
  },
  {
    error: 'missing dependency',
    log: [
      /No package '[^']+' found/,
      /Package requirements \(.+\) were not met/,
      /Could NOT find [A-Za-z0-9_]+/,
      /Can't locate [\w/:.]+\.pm in @INC/,
      /ModuleNotFoundError: No module named/,
      /ImportError: No module named/,
      /pkg_add: no pkg found for/i,
      /Missing dependency/i,
      /required dependency .+ not found/i,
      /Dependency "[^"]+" not found/,
    ],
  },
  {
    error: 'missing header',
    log: [
      /fatal error: [^\s:]+\.(h|hh|hpp|hxx|H|inc): No such file or directory/,
      /fatal error: '[^']+' file not found/,
      /error: [^\s:]+\.(h|hpp): No such file or directory/,
    ],
  },
  {
    error: 'linker error',
    log: [
      /undefined reference to [`']/,
      /\bld(\.lld|\.gold|\.bfd)?: (error: )?cannot find -l\S+/,
      /collect2: error: ld returned \d+ exit status/,
      /\bld(\.lld)?: error: /,
      /Undefined symbols for architecture/,
      /multiple definition of [`']/,
      /relocation R_\w+ against .+ can not be used when making a/,
      /linker command failed with exit code/,
      /error: linking with `cc` failed/,
    ],
  },
  {
    error: 'compiler error',
    log: [
      /internal compiler error/,
      /^[^\s:]+:\d+(:\d+)?: (fatal )?error: /m,
      /^error(\[E\d+\])?: /m,
      /\berror: expected [^\n]+ before /,
      /^[^\s:]+\.go:\d+:\d+: /m,
      /\d+ errors? generated\./,
      /compilation terminated\./,
    ],
  },
  // A missing tool: after the compiler rules, as a harmless "makeinfo: command
  // not found" often precedes the real error.
  {
    error: 'missing dependency',
    log: [
      /\b(sh|bash|make|env): ((line )?\d+: )?[\w.+-]+: (command )?not found/,
      /\b[\w.+-]+: command not found/,
    ],
  },
  {
    error: 'configure error',
    log: [
      /^configure: error: /m,
      /CMake Error/,
      /Configuring incomplete, errors occurred!/,
      /meson\.build:\d+:\d+: ERROR: /,
      /^ERROR: .*meson/m,
      /config\.status: error: /,
    ],
  },
  {
    error: 'plist',
    log: [
      /The following files are in .+ but not in /,
      /pkg_create: can't stat/,
      /^Error: (Orphaned|Missing): /m,
    ],
  },
];

const BY_PHASE: Readonly<Record<string, ErrorClass>> = {
  fetch: 'fetch',
  checksum: 'checksum',
  extract: 'build error',
  patch: 'patch',
  depends: 'missing dependency',
  configure: 'configure error',
  build: 'build error',
  test: 'build error',
  install: 'install error',
  stage: 'install error',
  package: 'package error',
  'install-test': 'install error',
  usergroup: 'install error',
  infrastructure: 'infrastructure',
};

/**
 * The class of a failure: the coarse error the sandbox gave, then the
 * patterns over the end of the failing phase's log, then the phase itself.
 */
export function classifyFailure(phase: Phase, logText: string, coarseError: string): ErrorClass {
  const tail = logText.length > LOG_TAIL_BYTES ? logText.slice(-LOG_TAIL_BYTES) : logText;
  for (const rule of RULES) {
    if (rule.coarse?.some((re) => re.test(coarseError))) return rule.error;
    if (rule.log?.some((re) => re.test(tail))) return rule.error;
  }
  return BY_PHASE[phase] ?? (phase === '' ? 'unknown' : 'build error');
}
