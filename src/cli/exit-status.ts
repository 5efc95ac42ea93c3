// kiln's exit statuses, one list for every command, for `--help`, kiln(1)
// and scripts that run kiln from cron. 0 and 1 belong to builds: whether
// every package was built. The others say why a run could not do its work.

export const EXIT = {
  /** Everything built, up to date, or skipped by its port. */
  ok: 0,
  /** Some packages failed to build (kiln build), or the command's own "no" (kiln fetch: a distfile could not be had). */
  failed: 1,
  /** Bad usage: an unknown option, a malformed value, a pkgpath that is not category/name. */
  usage: 2,
  /** The build was stopped by a stop file or `kiln stop` before the end; run it again to go on. */
  stopped: 3,
  /** An input kiln cannot use: a missing or empty tree, a tree that is a file, a pkgpath not in the tree, a bad hosts file, a run directory in use or unwritable, an unreadable index. */
  badInput: 4,
  /** No host could build: every host was refused or quarantined; packages keep their state. */
  noHost: 5,
  /** A bug in kiln: please report it with the message. */
  internal: 70,
  /** Interrupted (Ctrl-C, SIGTERM); run it again to resume. */
  interrupted: 130,
} as const;

/** The table printed at the end of `kiln build --help` and in kiln(1). */
export const EXIT_HELP = `exit status: 0 everything was built (or up to date, or skipped by its port);
1 some packages failed; 2 bad usage; 3 stopped by a stop file before the end;
4 an input kiln cannot use (missing or empty tree, pkgpath not in the tree,
bad hosts file, run directory in use); 5 no host could build; 70 internal
error (a bug); 130 interrupted (run it again to resume).
`;

/** The exit statuses of a command other than build: its own 0 and 1, then the ones every command shares. */
export function exitHelp(own: string): string {
  return `exit status: ${own}; 2 bad usage; 4 an input kiln cannot use (named on
stderr); 70 internal error (a bug); 130 interrupted.
`;
}
