// The fixed bash programs that run inside the sandbox. Nothing of a port is
// spliced into them: paths, names and descriptor numbers arrive as
// arguments ("$1", ...), the Portfile is sourced from a path argument, and
// everything a port defines runs only inside the sandbox.
//
// Protocol with the builder, on descriptor 3 (a host file the build's own
// processes do not inherit): `started` once the sandbox is up, then bash's
// `times` (user and system CPU of the runner and of every child it waited
// for), then `status N`. No `started` means bubblewrap failed to set up.

/** Shared tail: run the phase body in a subshell with errexit, report, exit. */
export const REPORT = `
status=$?
times >&3
echo "status $status" >&3
exit "$status"
`;

/**
 * A Portfile phase. $1: the Portfile, $2: the function to run (build,
 * install), then the distfiles (names under $DISTDIR) to extract into
 * $WRKSRC first, as the build user: a hostile archive can write only the
 * sandbox's scratch. Runs it in $WRKSRC with errexit; a missing function does nothing.
 * The function runs under another name, so that inside `install()` the word
 * `install` is install(1) and not the function calling itself forever.
 */
export const PORTFILE_PHASE = `exec 2>&1 </dev/null
echo started >&3
umask 022
readonly __kiln_portfile="$1" __kiln_phase="$2"
shift 2
__kiln_extract=("$@")
set --
(
  set -e
  cd "$WRKSRC"
  for __kiln_d in "\${__kiln_extract[@]}"; do
    echo "kiln: extracting $__kiln_d"
    tar -xf "$DISTDIR/$__kiln_d" -C "$WRKSRC" --no-same-owner --no-same-permissions
  done
  unset __kiln_extract __kiln_d
  . "$__kiln_portfile"
  if [ "\${MAKE_JOBS_SAFE:-yes}" = no ]; then MAKE_JOBS=1; unset MAKEFLAGS; fi
  export MAKE_JOBS
  if declare -F "$__kiln_phase" >/dev/null; then
    __kiln_body=$(declare -f "$__kiln_phase")
    unset -f "$__kiln_phase"
    eval "__kiln_phase_function\${__kiln_body#"$__kiln_phase"}"
    __kiln_phase_function
  else
    echo "kiln: the Portfile defines no $__kiln_phase(); nothing to do"
  fi
) 3>&-
${REPORT}`;

/**
 * Installs dependency packages into $PREFIX. Arguments come in pairs:
 * pkgname, descriptor of its open package file. Files go to $PREFIX, the
 * package's +files to $PREFIX/.pkgdb/<pkgname>/; a file two packages both
 * hold is an error (tar --keep-old-files), as pkg_add refuses conflicts.
 * One mv for all of a package's +files: a fork each cost about a
 * millisecond per file per dependency (bench:sandbox).
 */
export const INSTALL_DEPENDENCIES = `exec 2>&1 </dev/null
echo started >&3
umask 022
(
  set -e
  shopt -s nullglob
  db="$PREFIX/.pkgdb"
  mkdir -p "$db"
  while [ "$#" -ge 2 ]; do
    name=$1 fd=$2
    shift 2
    echo "kiln: installing $name"
    tar -xzf - -C "$PREFIX" --keep-old-files --no-same-owner <&"$fd"
    exec {fd}<&-
    mkdir "$db/$name"
    metas=("$PREFIX"/+*)
    if [ "\${#metas[@]}" -gt 0 ]; then mv -- "\${metas[@]}" "$db/$name/"; fi
    if [ -f "$db/$name/+CONTENTS" ]; then
      while IFS= read -r line; do
        case $line in
          "@pkgdir "*) mkdir -p -- "$PREFIX/\${line#@pkgdir }" ;;
        esac
      done <"$db/$name/+CONTENTS"
    fi
  done
) 3>&-
${REPORT}`;

export interface RunnerReport {
  /** The runner ran: the sandbox was set up. */
  readonly started: boolean;
  /** Exit status of the phase body, when the runner lived to report it. */
  readonly status: number | undefined;
  /** CPU seconds (user + system) of the runner and its waited-for children. */
  readonly cpuS: number | undefined;
}

/** Reads what a runner wrote on descriptor 3. */
export function parseRunnerReport(text: string): RunnerReport {
  const lines = text.split('\n');
  const started = lines[0] === 'started';
  const statusLine = lines.find((line) => /^status \d+$/.test(line));
  const times = lines.filter((line) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(line));
  let cpuS: number | undefined;
  if (times.length === 2) {
    cpuS = 0;
    for (const match of times.join(' ').matchAll(/(\d+)m([\d.]+)s/g)) cpuS += Number(match[1]) * 60 + Number(match[2]);
  }
  return { started, status: statusLine === undefined ? undefined : Number(statusLine.slice(7)), cpuS };
}
