// A small Portfile tree for the "never lose work" tests, whose builds take a
// time the test chooses and fail when it says so. Each port `cat/<name>`:
//   payload   installed as share/<name>/payload: change it, the package's content changes
//   note      read by nothing the package holds: change it, only the inputs change
//   delay     seconds build() sleeps
//   fail      when present, build() fails with a compiler-like error
// and share/<name>/from lists the payloads of what it depends on, so a
// dependency whose content changes changes what its dependents install.

import { rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FixturePort {
  readonly deps?: readonly string[];
  readonly delay?: number;
  readonly fail?: boolean;
}

export async function makeDurableTree(tree: string, ports: Readonly<Record<string, FixturePort>>): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    const dir = join(tree, 'cat', name);
    await mkdir(dir, { recursive: true });
    const deps = port.deps ?? [];
    await writeFile(join(dir, 'Portfile'), portfile(name, deps));
    await writeFile(join(dir, 'payload'), `${name} 1\n`);
    await writeFile(join(dir, 'note'), 'a note\n');
    await writeFile(join(dir, 'delay'), `${port.delay ?? 0}\n`);
    if (port.fail === true) await writeFile(join(dir, 'fail'), '');
  }
}

function portfile(name: string, deps: readonly string[]): string {
  const depends = deps.map((d) => `\t'${d}-[0-9]*:../../cat/${d}'`).join('\n');
  const from = deps.map((d) => `\tcat "$PREFIX/share/${d}/payload" >>out/from || return`).join('\n');
  return `PKGNAME=${name}-1.0
COMMENT="fixture port ${name}"
MAINTAINER="tests@kiln.example"
CATEGORIES="cat"
DEPENDS=(
${depends}
)

build() {
\techo "building ${name}"
\tsleep "$(cat delay)" || return
\tif [ -e fail ]; then echo "${name}.c:1:1: error: told to fail" >&2; return 1; fi
\tmkdir -p out && cp payload out/payload && : >out/from || return
${from}
\techo "built ${name}"
}

install() {
\tmkdir -p "$DESTDIR$PREFIX/share/${name}" || return
\tcp out/payload out/from "$DESTDIR$PREFIX/share/${name}/"
}
`;
}

/** Makes a port fail, or build again. */
export function setFailing(tree: string, name: string, failing: boolean): void {
  const file = join(tree, 'cat', name, 'fail');
  if (failing) writeFileSync(file, '');
  else rmSync(file, { force: true });
}

export function setFile(tree: string, name: string, file: 'payload' | 'note' | 'delay', text: string): void {
  writeFileSync(join(tree, 'cat', name, file), text);
}

/**
 * The fixture most tests use: a diamond and a chain, a failing port with a
 * dependent, and a port on its own.
 *   a <- b <- c      a <- d      b,d <- e      bad <- usesbad      lone
 */
export const DIAMOND: Readonly<Record<string, FixturePort>> = {
  a: {}, b: { deps: ['a'] }, c: { deps: ['b'] }, d: { deps: ['a'] }, e: { deps: ['b', 'd'] },
  bad: { fail: true }, usesbad: { deps: ['bad'] }, lone: {},
};

/** A port whose package is 80 MiB that does not compress: bigger than the space a disk test leaves. */
export const BIG_PORTFILE = `PKGNAME=big-1.0
COMMENT="a package of 80 MiB that does not compress"
MAINTAINER="tests@kiln.example"
CATEGORIES="cat"
build() { head -c 83886080 /dev/urandom >blob; }
install() { mkdir -p "$DESTDIR$PREFIX/share/big" && cp blob "$DESTDIR$PREFIX/share/big/"; }
`;
