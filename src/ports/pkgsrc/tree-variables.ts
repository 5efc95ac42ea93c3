// Variables that are the same for every port of a tree on one host, asked
// of bmake once and passed to every scan on its command line, as bob does.
// pkgsrc computes each of them with a shell command (uname, pwd, pkg_info
// -V, cc -v) unless it is already defined, and passes them to its own
// sub-makes the same way (MAKEFLAGS), so the blocks do not change; only the
// commands are not run again in each of thousands of ports.

/** Computed by pkgsrc only when undefined, and handed down to its sub-makes. */
export const TREE_VARIABLES = [
  'OPSYS', 'OS_VERSION', 'HOST_MACHINE_ARCH', 'LOWER_OPSYS', '_PKGSRCDIR', 'PKGTOOLS_VERSION', '_CC', '_GCC_VERSION',
] as const;

/** Where the variables are asked: pbulk's pre-build asks the same port for OPSYS and its kin. */
export const PROBE_PKGPATH = 'pkgtools/pkg_install';

/**
 * A value bmake can take on its command line unchanged: printable, no `$`
 * (make would expand it: `${:!cmd!}` runs a command), no backslash or quote.
 */
export function isPlainValue(value: string): boolean {
  return value !== '' && /^[\x20-\x7e]+$/.test(value) && !/[$\\"'`]/.test(value) && value.trim() === value;
}

/**
 * The `NAME=value` words for the scans, from the probe's `show-vars`
 * output (one value a line, in TREE_VARIABLES order). A value that is
 * empty or not plain is left out: each scan then computes it itself.
 */
export function treeAssignments(showVarsOutput: string): string[] {
  const lines = showVarsOutput.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== TREE_VARIABLES.length) return [];
  return TREE_VARIABLES.flatMap((name, i) => (isPlainValue(lines[i]!) ? [`${name}=${lines[i]!}`] : []));
}
