// The fixed bash program that scans one Portfile. The Portfile's path is its
// only argument ($1); nothing of the port is ever put into program text. It
// sources the Portfile with stdout moved to stderr, then writes what the
// Portfile defined as NUL-separated records on the real stdout:
//
//   kiln-scan-1 \0 status \0 <source's exit status> \0
//   then per variable:  NAME \0 KIND \0 COUNT \0 VALUE... \0
//   where KIND is unset, scalar, array or assoc;
//   then SOURCED \0 array \0 COUNT \0 PATH... (files the Portfile sourced)
//   and end \0
//
// Values are printed with printf '%s', never evaluated. The whole program is
// one `{ ... }` group, so bash parses all of it before the Portfile runs and
// aliases the Portfile defines cannot change it.

/** The variables a Portfile defines (DESIGN.md), plus pkgsrc's two licence flags. */
export const PORTFILE_VARIABLES = [
  'PKGNAME', 'DEPENDS', 'BUILD_DEPENDS', 'COMMENT', 'MAINTAINER', 'CATEGORIES', 'HOMEPAGE', 'LICENSE',
  'PKG_SKIP_REASON', 'PKG_FAIL_REASON', 'MAKE_JOBS_SAFE', 'NO_BIN_ON_FTP', 'RESTRICTED', 'DISTFILES', 'MASTER_SITES',
  'HOST_FEATURES', 'USE_DISTCC',
] as const;

export type PortfileVariable = (typeof PORTFILE_VARIABLES)[number];

export const SCAN_PROGRAM = `{
__kiln_sourced=()
__kiln_note() { case $1 in /*) __kiln_sourced+=("$1") ;; *) __kiln_sourced+=("$PWD/$1") ;; esac; }
source() { __kiln_note "$1"; builtin source "$@"; }
.() { __kiln_note "$1"; builtin source "$@"; }
shopt -u sourcepath
builtin cd -- "\${1%/*}" || exit 97
exec 3>&1 1>&2 </dev/null
__kiln_status=0
builtin source "\${1##*/}" 3>&- || __kiln_status=$?
exec 1>&3 3>&-
builtin set +eu
builtin trap - EXIT ERR DEBUG RETURN
builtin unset -f source . printf
builtin printf '%s\\0' kiln-scan-1 status "$__kiln_status"
for __kiln_n in ${PORTFILE_VARIABLES.join(' ')} __kiln_sourced; do
  __kiln_a=\${!__kiln_n@a}
  if [[ $__kiln_a == *A* ]]; then
    builtin printf '%s\\0' "$__kiln_n" assoc 0
  elif [[ $__kiln_a == *a* ]]; then
    builtin declare -n __kiln_v=$__kiln_n
    builtin printf '%s\\0' "$__kiln_n" array "\${#__kiln_v[@]}" "\${__kiln_v[@]}"
    builtin unset -n __kiln_v
  elif [[ -n \${!__kiln_n+set} ]]; then
    builtin printf '%s\\0' "$__kiln_n" scalar 1 "\${!__kiln_n}"
  else
    builtin printf '%s\\0' "$__kiln_n" unset 0
  fi
done
builtin printf '%s\\0' end
exit 0
}`;
