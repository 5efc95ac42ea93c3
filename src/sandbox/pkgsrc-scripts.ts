// The fixed bash programs of a pkgsrc job, after pbulk's pkg-build and
// client-clean. As in runner-scripts.ts, nothing of a port is spliced into
// them: the make, its arguments, names and paths arrive as "$@".

import { REPORT } from './runner-scripts.js';

const HEAD = `exec 2>&1 </dev/null
echo started >&3
umask 022
`;

/**
 * A fresh PREFIX and the dependencies (client-clean, then pkg-build's
 * pkg_add). $1: PREFIX, $2: the package tools' directory, $3: the
 * descriptor of the kit (opened by the builder: the build user needs no
 * access to it), $4: the dependencies' packages (PKG_PATH, for pkg_add
 * only: pkgsrc's makefiles refuse to run with it set), then the pkgnames to
 * pkg_add.
 */
export const PKGSRC_DEPENDS = `${HEAD}(
  set -e
  prefix=$1 tools=$2 kitfd=$3 packages=$4
  shift 4
  unpack=$(mktemp -d "\${TMPDIR:-/tmp}/kiln-kit.XXXXXX")
  echo "kiln: a fresh $prefix from the bootstrap kit"
  tar -xzf - -C "$unpack" <&"$kitfd"
  cp -pR "$unpack$prefix/." "$prefix/"
  rm -rf "$unpack"
  if [ "$#" -gt 0 ]; then
    echo "kiln: pkg_add $*"
    PKG_PATH=$packages "$tools/pkg_add" "$@"
  fi
) 3>&-
${REPORT}`;

/** One make run: "$@" is the make and its arguments. */
export const PKGSRC_MAKE = `${HEAD}( "$@" ) 3>&-
${REPORT}`;

/**
 * pkg-build's run_usergroup: $1 \`clean\` (before configure: the work
 * directory root touched is removed) or \`keep\`, then the make and its
 * arguments.
 */
export const PKGSRC_USERGROUP = `${HEAD}(
  set -e
  after=$1
  shift
  "$@" create-usergroup
  if [ "$after" = clean ]; then "$@" clean; fi
) 3>&-
${REPORT}`;

/**
 * stage-package-create, and the package copied out to $1 (where the test
 * install reads it and the builder takes it). Then the make and its
 * arguments.
 */
export const PKGSRC_PACKAGE = `${HEAD}(
  set -e
  out=$1
  shift
  "$@" stage-package-create
  pkgfile=$("$@" show-var VARNAME=STAGE_PKGFILE)
  cp -- "$pkgfile" "$out"
) 3>&-
${REPORT}`;

/**
 * pkg-build's test of the package's install and deinstall rules: pkg_add
 * of the package, then pkg_delete. $1: the package tools' directory, $2:
 * the packages' directory (PKG_PATH), $3: the package file, $4: its pkgname.
 */
export const PKGSRC_INSTALL_TEST = `${HEAD}(
  set -e
  echo "kiln: test install: pkg_add $3"
  PKG_PATH=$2 "$1/pkg_add" "$3"
  echo "kiln: test deinstall: pkg_delete $4"
  "$1/pkg_delete" "$4"
) 3>&-
${REPORT}`;
