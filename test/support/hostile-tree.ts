// A tree of ports that aim kiln's own file operations at host files, and
// the canaries they aim at: a root-only file and directory under /etc
// (which every sandbox shows read-only, so a build could read them if kiln
// handed them over) and a root-only host directory that a symlink in
// DESTDIR points to. Used by the local and the remote hostile-file tests.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LONG_PKGNAME = `${'l'.repeat(246)}-1.0`;

export interface Canaries {
  /** What no package may hold. */
  readonly secrets: readonly string[];
  /** Each canary whose owner, mode or content changed, in words; empty when none did. */
  changed(): string[];
  remove(): void;
}

export function plantCanaries(work: string): Canaries & { readonly etcDir: string; readonly secretFile: string; readonly hostDir: string } {
  const secrets = [`kiln-canary-${process.pid}-file`, `kiln-canary-${process.pid}-dir`];
  const etcDir = mkdtempSync('/etc/kiln-canary-');
  const secretFile = path.join(etcDir, 'secret');
  writeFileSync(secretFile, `${secrets[0]}\n`, { mode: 0o600 });
  const hostDir = path.join(work, 'host-dir');
  mkdirSync(path.join(hostDir, 'kiln/share'), { recursive: true, mode: 0o700 });
  const hostSecret = path.join(hostDir, 'kiln/share/secret');
  writeFileSync(hostSecret, `${secrets[1]}\n`, { mode: 0o600 });
  const expected: Array<[string, number, string | undefined]> = [
    [etcDir, 0o700, undefined], [secretFile, 0o600, `${secrets[0]}\n`], [hostDir, 0o700, undefined], [hostSecret, 0o600, `${secrets[1]}\n`],
  ];
  for (const [file, mode] of expected) {
    chmodSync(file, mode);
    chownSync(file, 0, 0);
  }
  return {
    secrets, etcDir, secretFile, hostDir,
    changed: () => expected.flatMap(([file, mode, content]) => {
      const info = statSync(file);
      const problems = info.uid !== 0 || info.gid !== 0 ? [`${file} is owned by ${info.uid}:${info.gid}`] : [];
      if ((info.mode & 0o7777) !== mode) problems.push(`${file} has mode ${(info.mode & 0o7777).toString(8)}`);
      if (content !== undefined && readFileSync(file, 'utf8') !== content) problems.push(`${file} changed`);
      return problems;
    }),
    remove: () => rmSync(etcDir, { recursive: true, force: true }),
  };
}

/** Writes the hostile ports, and one plain port, under `tree`; `outside` is a directory beside the tree. */
export function writeHostileTree(tree: string, outside: string, canaries: ReturnType<typeof plantCanaries>): void {
  const port = (pkgpath: string, text: string): string => {
    const dir = path.join(tree, pkgpath);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Portfile'), text);
    return dir;
  };
  const installs = (what: string): string => `install() { mkdir -p "$DESTDIR$PREFIX/share"; ${what}; }\n`;
  port('misc/plain', `PKGNAME=plain-1.0\nbuild() { echo plain > out; }\n${installs('cp out "$DESTDIR$PREFIX/share/plain"')}`);
  // A symlink in the port directory to a root-only file, and to its directory.
  const links = port('hostile/links', 'PKGNAME=links-1.0\n'
    + 'build() { { cat link || echo unreadable; cat linkdir/secret || echo unreadable; } > stolen; }\n'
    + installs('cp stolen "$DESTDIR$PREFIX/share/stolen"'));
  symlinkSync(canaries.secretFile, path.join(links, 'link'));
  symlinkSync(canaries.etcDir, path.join(links, 'linkdir'));
  // install() makes a component on the way to PREFIX a symlink to a host directory.
  port('hostile/optlink', `PKGNAME=optlink-1.0\ninstall() { ln -s ${canaries.hostDir} "$DESTDIR/opt"; }\n`);
  // The port directory, or its Portfile, a symlink out of the tree.
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'Portfile'), `PKGNAME=dirlink-1.0\n${installs('echo x > "$DESTDIR$PREFIX/share/x"')}`);
  mkdirSync(path.join(tree, 'hostile/portfilelink'), { recursive: true });
  symlinkSync(outside, path.join(tree, 'hostile/dirlink'));
  writeFileSync(path.join(outside, 'Portfile2'), `PKGNAME=portfilelink-1.0\n${installs('echo x > "$DESTDIR$PREFIX/share/y"')}`);
  symlinkSync(path.join(outside, 'Portfile2'), path.join(tree, 'hostile/portfilelink/Portfile'));
  // A port's own faults that used to pass for host trouble.
  execFileSync('mkfifo', [path.join(port('hostile/fifo', 'PKGNAME=fifo-1.0\n'), 'pipe')]);
  writeFileSync(Buffer.concat([Buffer.from(`${port('hostile/badname', 'PKGNAME=badname-1.0\n')}/bad`), Buffer.from([0xff]), Buffer.from('.txt')]), 'x');
  port('hostile/longname', `PKGNAME=${LONG_PKGNAME}\n${installs('echo long > "$DESTDIR$PREFIX/share/long"')}`);
  port('hostile/fifoinstall', `PKGNAME=fifoinstall-1.0\n${installs('mkfifo "$DESTDIR$PREFIX/share/pipe"')}`);
  port('hostile/badinstall', `PKGNAME=badinstall-1.0\n${installs('echo x > "$DESTDIR$PREFIX/share/bad"$\'\\xff\'')}`);
}

/** `<package> holds <secret>` for every package in `all` holding a secret. */
export function leaksIn(all: string, secrets: readonly string[]): string[] {
  return readdirSync(all).filter((name) => name.endsWith('.tgz')).flatMap((name) => {
    const text = execFileSync('tar', ['-xzOf', path.join(all, name)]).toString('latin1');
    return secrets.filter((secret) => text.includes(secret)).map((secret) => `${name} holds ${secret}`);
  });
}
