// A pkgsrc build's make joins the host's make jobserver (jobserver.ts)
// through pkgsrc's own `_MAKE_JOBS`, the flags mk/build/build.mk puts on
// the build's make command line (`-j${MAKE_JOBS}`, or nothing for
// MAKE_JOBS_SAFE=no). kiln sets it on the stage's bmake command line to an
// expression pkgsrc evaluates once it has read the port, so that pkgsrc
// still decides: MAKE_JOBS_SAFE=no, nothing (one make job, as pkgsrc);
// GNU make (MAKE_PROGRAM is pkgsrc's GMAKE), `--jobserver-auth=R,W` and no
// -j (with a -jN beside it, make 4.x drops the pipe and runs N of its own);
// any other make, bmake, `-jC -J R,W`: bmake's token pipe takes the same
// '+' bytes, C (the host's cores) only bounds it. Not MAKEFLAGS: pkgsrc's
// own bmake would read it as flags of its own and run the stages in
// parallel. MAKE_JOBS itself stays the job's share, for ports that hand it
// to ninja or cargo.

/** The bmake command-line words naming the pipe `fd` to the build's make, the host having `cores`. */
export function pkgsrcTokenArgs(fd: number, cores: number): string[] {
  return [
    '_KILN_SERIAL=${MAKE_JOBS_SAFE:U:M[nN][oO]}',
    '_KILN_GNU=${MAKE_PROGRAM:U:S,^${GMAKE:U},gnu,:Mgnu}',
    `_MAKE_JOBS=\${"\${_KILN_SERIAL}" != "":?:\${"\${_KILN_GNU}" != "":?--jobserver-auth=${fd},${fd}:-j${cores} -J ${fd},${fd}}}`,
  ];
}
