import assert from 'node:assert/strict';
import { test } from 'node:test';

import { classifyFailure, ERROR_CLASSES, type ErrorClass } from './error-class.js';

// Excerpts in the shape real builds print them: pkgsrc's bmake output, gcc,
// clang, GNU ld, lld, autoconf, CMake, meson, patch(1), pkgsrc's fetch and
// checksum, the kernel's OOM killer seen through cc1.
interface Case {
  readonly name: string;
  readonly phase: string;
  readonly coarse: string;
  readonly log: string;
  readonly want: ErrorClass;
}

const cases: readonly Case[] = [
  {
    name: 'gcc: missing header',
    phase: 'build', coarse: 'exit status 1', want: 'missing header',
    log: `libtool: compile:  gcc -DHAVE_CONFIG_H -I. -I.. -O2 -c xmlreader.c  -fPIC -DPIC -o .libs/xmlreader.o
xmlreader.c:27:10: fatal error: zlib.h: No such file or directory
   27 | #include <zlib.h>
      |          ^~~~~~~~
compilation terminated.
make[2]: *** [Makefile:1012: xmlreader.lo] Error 1
make[2]: Leaving directory '/pbulk/work/textproc/libxml2/work/libxml2-2.9.7'
*** Error code 2

Stop.
bmake[1]: stopped in /usr/pkgsrc/textproc/libxml2`,
  },
  {
    name: 'clang: missing header',
    phase: 'build', coarse: 'exit status 2', want: 'missing header',
    log: `cc -O2 -pipe -I/usr/pkg/include -c src/ssl.c -o src/ssl.o
src/ssl.c:14:10: fatal error: 'openssl/ssl.h' file not found
#include <openssl/ssl.h>
         ^~~~~~~~~~~~~~~
1 error generated.
gmake: *** [Makefile:88: src/ssl.o] Error 1`,
  },
  {
    name: 'gcc: compiler error',
    phase: 'build', coarse: 'exit status 1', want: 'compiler error',
    log: `gcc -DHAVE_CONFIG_H -I. -O2 -c -o pax.o pax.c
pax.c: In function 'gen_init':
pax.c:412:9: error: 'SIGXCPU' undeclared (first use in this function)
  412 |         SIGXCPU,
      |         ^~~~~~~
pax.c:412:9: note: each undeclared identifier is reported only once for each function it appears in
make: *** [Makefile:310: pax.o] Error 1
*** Error code 2`,
  },
  {
    name: 'g++: expected before',
    phase: 'build', coarse: 'exit status 2', want: 'compiler error',
    log: `c++ -O2 -std=c++98 -c parser.cc
parser.cc:88:23: error: expected ';' before 'return'
   88 |     int x = compute()
      |                       ^
      |                       ;
gmake[1]: *** [Makefile:40: parser.o] Error 1`,
  },
  {
    name: 'gcc: internal compiler error',
    phase: 'build', coarse: 'exit status 1', want: 'compiler error',
    log: `during RTL pass: expand
vec.c: In function 'mul':
vec.c:55:1: internal compiler error: Segmentation fault
Please submit a full bug report, with preprocessed source (by using -freport-bug).`,
  },
  {
    name: 'rustc error',
    phase: 'build', coarse: 'exit status 101', want: 'compiler error',
    log: `   Compiling ring v0.16.20
error[E0308]: mismatched types
  --> src/main.rs:4:18
   |
4  |     let x: i32 = "a";
   |                  ^^^ expected \`i32\`, found \`&str\`
error: could not compile \`demo\` due to previous error`,
  },
  {
    name: 'GNU ld: undefined reference',
    phase: 'build', coarse: 'exit status 1', want: 'linker error',
    log: `gcc -O2 -o mtree compare.o create.o misc.o mtree.o spec.o verify.o -lutil
/usr/bin/ld: create.o: in function \`statf':
create.c:(.text+0x2f1): undefined reference to \`user_from_uid'
/usr/bin/ld: create.c:(.text+0x31a): undefined reference to \`group_from_gid'
collect2: error: ld returned 1 exit status
*** Error code 1`,
  },
  {
    name: 'GNU ld: cannot find -l',
    phase: 'build', coarse: 'exit status 1', want: 'linker error',
    log: `libtool: link: gcc -shared -o .libs/libfoo.so.1.0.0 .libs/foo.o -lbsd
/usr/bin/ld: cannot find -lbsd: No such file or directory
collect2: error: ld returned 1 exit status`,
  },
  {
    name: 'lld and clang driver',
    phase: 'build', coarse: 'exit status 1', want: 'linker error',
    log: `ld.lld: error: undefined symbol: lzma_stream_decoder
>>> referenced by xz.c
clang: error: linker command failed with exit code 1 (use -v to see invocation)`,
  },
  {
    name: 'autoconf error',
    phase: 'configure', coarse: 'exit status 1', want: 'configure error',
    log: `checking for gcc... gcc
checking whether the C compiler works... yes
checking for library containing dlopen... -ldl
checking size of off_t... configure: error: cannot compute sizeof (off_t)
See \`config.log' for more details
*** Error code 1`,
  },
  {
    name: 'pkg-config dependency under configure',
    phase: 'configure', coarse: 'exit status 1', want: 'missing dependency',
    log: `checking for GLIB... no
configure: error: Package requirements (glib-2.0 >= 2.56) were not met:

No package 'glib-2.0' found

Consider adjusting the PKG_CONFIG_PATH environment variable if you
installed software in a non-standard prefix.`,
  },
  {
    name: 'CMake find_package',
    phase: 'configure', coarse: 'exit status 1', want: 'missing dependency',
    log: `-- The C compiler identification is GNU 12.2.0
CMake Error at /usr/pkg/share/cmake-3.26/Modules/FindPackageHandleStandardArgs.cmake:230 (message):
  Could NOT find ZLIB (missing: ZLIB_LIBRARY ZLIB_INCLUDE_DIR)
Call Stack (most recent call first):
  CMakeLists.txt:41 (find_package)
-- Configuring incomplete, errors occurred!`,
  },
  {
    name: 'CMake error without a package',
    phase: 'configure', coarse: 'exit status 1', want: 'configure error',
    log: `CMake Error at CMakeLists.txt:12 (cmake_minimum_required):
  CMake 3.30 or higher is required.  You are running version 3.26.4
-- Configuring incomplete, errors occurred!`,
  },
  {
    name: 'meson dependency',
    phase: 'configure', coarse: 'exit status 1', want: 'missing dependency',
    log: `Run-time dependency gio-2.0 found: NO (tried pkgconfig)
meson.build:77:0: ERROR: Dependency "gio-2.0" not found, tried pkgconfig`,
  },
  {
    name: 'perl module',
    phase: 'configure', coarse: 'exit status 2', want: 'missing dependency',
    log: `Can't locate ExtUtils/MakeMaker.pm in @INC (you may need to install the ExtUtils::MakeMaker module) (@INC contains: /usr/pkg/lib/perl5/site_perl) at Makefile.PL line 3.
BEGIN failed--compilation aborted at Makefile.PL line 3.`,
  },
  {
    name: 'a tool not found',
    phase: 'build', coarse: 'exit status 127', want: 'missing dependency',
    log: `cd doc && makeinfo --no-split foo.texi
sh: 1: makeinfo: not found
gmake[1]: *** [Makefile:310: foo.info] Error 127`,
  },
  {
    name: 'a harmless missing tool before a header error',
    phase: 'build', coarse: 'exit status 2', want: 'missing header',
    log: `bash: line 1: help2man: command not found
main.c:3:10: fatal error: curses.h: No such file or directory
compilation terminated.`,
  },
  {
    name: 'pkgsrc depends phase',
    phase: 'depends', coarse: 'exit status 1', want: 'missing dependency',
    log: `=> Installing dependencies for py39-cairo-1.21.0
pkg_add: no pkg found for 'cairo>=1.16.0', sorry.
pkg_add: 1 package addition failed`,
  },
  {
    name: 'patch rejected',
    phase: 'patch', coarse: 'exit status 1', want: 'patch',
    log: `=> Applying pkgsrc patches for bsdtar-3.3.2
1 out of 2 hunks FAILED -- saving rejects to file libarchive/archive_read.c.rej
Patch /usr/pkgsrc/archivers/bsdtar/patches/patch-aa failed
ERROR: Patching failed due to modified or broken patch file(s):
ERROR: 	/usr/pkgsrc/archivers/bsdtar/patches/patch-aa`,
  },
  {
    name: 'patch hunk',
    phase: 'patch', coarse: 'exit status 1', want: 'patch',
    log: `patching file src/main.c
Hunk #1 FAILED at 120.
Hunk #2 succeeded at 160 (offset 4 lines).`,
  },
  {
    name: 'checksum mismatch',
    phase: 'checksum', coarse: 'exit status 1', want: 'checksum',
    log: `=> Checksum BLAKE2s OK for gmake-4.4.1.tar.gz
=> Checksum SHA512 mismatch for gmake-4.4.1.tar.gz
ERROR: Make sure the Makefile and checksum file (/usr/pkgsrc/devel/gmake/distinfo)
ERROR: are up to date.`,
  },
  {
    name: 'fetch failure',
    phase: 'fetch', coarse: 'exit status 1', want: 'fetch',
    log: `=> Fetching lockf-1.tar.gz
fetch: https://example.invalid/dist/lockf-1.tar.gz: No address record
=> Attempting to fetch lockf-1.tar.gz from ftp://ftp.NetBSD.org/pub/pkgsrc/distfiles/.
fetch: ftp://ftp.NetBSD.org/pub/pkgsrc/distfiles/lockf-1.tar.gz: Not Found
ERROR: Could not fetch the following file:
ERROR:     lockf-1.tar.gz`,
  },
  {
    name: 'curl failure',
    phase: 'fetch', coarse: 'exit status 1', want: 'fetch',
    log: 'curl: (22) The requested URL returned error: 404',
  },
  {
    name: 'cc1plus killed by the OOM killer',
    phase: 'build', coarse: 'exit status 1', want: 'out of memory',
    log: `[ 48%] Building CXX object src/CMakeFiles/core.dir/big.cpp.o
c++: fatal error: Killed signal terminated program cc1plus
compilation terminated.
make[2]: *** [src/CMakeFiles/core.dir/build.make:76: src/CMakeFiles/core.dir/big.cpp.o] Error 1`,
  },
  {
    name: 'virtual memory exhausted beats a killed job',
    phase: 'build', coarse: 'killed by signal SIGKILL', want: 'out of memory',
    log: 'cc1: out of memory allocating 4072 bytes after a total of 2617245696 bytes\nvirtual memory exhausted: Cannot allocate memory',
  },
  {
    name: 'killed, nothing in the log',
    phase: 'build', coarse: 'killed', want: 'killed',
    log: 'gcc -O2 -c big.c\n',
  },
  {
    name: 'exit status 137',
    phase: 'build', coarse: 'exit status 137', want: 'killed',
    log: 'gcc -O2 -c big.c\n',
  },
  {
    name: 'timeout wins over whatever the log shows',
    phase: 'build', coarse: 'timeout', want: 'timeout',
    log: 'make: *** [Makefile:2: all] Error 1\nfoo.c:1:1: error: bar\n',
  },
  {
    name: 'timed out',
    phase: 'test', coarse: 'timed out after 7200 s', want: 'timeout',
    log: 'PASS: t1\n',
  },
  {
    name: 'stuck with no output',
    phase: 'build', coarse: 'stuck: no output for 1800 s', want: 'stuck',
    log: 'Waiting for lock on /var/tmp/foo\n',
  },
  {
    name: 'disk full',
    phase: 'build', coarse: 'exit status 1', want: 'disk full',
    log: '/usr/bin/ld: final link failed: No space left on device\ncollect2: error: ld returned 1 exit status',
  },
  {
    name: 'files missing from the PLIST',
    phase: 'package', coarse: 'exit status 1', want: 'plist',
    log: `=> Checking file-check results for foo-1.0
ERROR: ************************************************************
ERROR: The following files are in /usr/pkg but not in the PLIST:
ERROR:         /usr/pkg/share/doc/foo/README
ERROR: ************************************************************
*** Error code 1`,
  },
  {
    name: 'poudriere check-plist',
    phase: 'stage', coarse: 'exit status 1', want: 'plist',
    log: '====> Checking for pkg-plist issues (check-plist)\nError: Orphaned: bin/foo-helper\n',
  },
  {
    name: 'only a make error: the phase decides',
    phase: 'install', coarse: 'exit status 2', want: 'install error',
    log: 'install -m 644 foo.1 /dest/man/man1\ninstall: cannot stat \'foo.1\'\n*** Error code 1\n',
  },
  {
    name: 'a phase kiln does not know',
    phase: 'wrapper', coarse: 'exit status 2', want: 'build error',
    log: '*** Error code 1\n',
  },
  {
    name: 'no phase, no log',
    phase: '', coarse: 'exit status 2', want: 'unknown',
    log: '',
  },
];

for (const c of cases) {
  void test(`error class: ${c.name}`, () => {
    assert.equal(classifyFailure(c.phase, c.log, c.coarse), c.want);
  });
}

void test('only the end of a long log is read: an old error far above does not count', () => {
  const old = 'foo.c:1:10: fatal error: zlib.h: No such file or directory\n';
  const filler = 'checking something... yes\n'.repeat(5000);
  assert.equal(classifyFailure('configure', old + filler + 'configure: error: no acceptable C compiler found in $PATH\n', 'exit status 1'), 'configure error');
});

void test('every class a rule can give is listed', () => {
  for (const c of cases) assert.ok(ERROR_CLASSES.includes(c.want), c.want);
});
