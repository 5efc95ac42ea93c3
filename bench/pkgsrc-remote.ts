// bench:pkgsrc-remote — a real pkgsrc tree built here and on one host in a
// network namespace that has no tree, no kit and no distfiles (real
// OpenSSH, real agent): the same ports, the same statuses, and what each
// package cost on the host against here (the kit's check, the tree's files
// each job carries, the package sent back).
//   npm run bench:pkgsrc-remote -- --tree /work/pkgsrc --kit /work/pkgsrc-kit/bootstrap.tar.gz PKGPATH...
// Needs root (network namespaces) and a bootstrap kit for the tree.

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildResult, type Run } from '../test/support/build-result.js';
import { startKiln } from '../test/support/kiln-process.js';
import { clusterUnavailable, createCluster } from '../test/support/netns-hosts.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { tree: { type: 'string' }, kit: { type: 'string' } }, allowPositionals: true });
  if (values.tree === undefined || values.kit === undefined || positionals.length === 0) {
    process.stderr.write('usage: npm run bench:pkgsrc-remote -- --tree PKGSRC --kit BOOTSTRAP.tgz PKGPATH...\n');
    process.exitCode = 2;
    return;
  }
  const unavailable = clusterUnavailable();
  if (unavailable) {
    process.stderr.write(`bench:pkgsrc-remote: ${unavailable}\n`);
    process.exitCode = 2;
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'kiln-bench-pkgsrc-remote-'));
  await chmod(work, 0o755);
  const cluster = await createCluster({ prefix: 'kbp', subnet: 27, hosts: 1 });
  try {
    const host = cluster.hosts[0];
    if (!host) throw new Error('no host');
    const build = async (name: string, extra: readonly string[]): Promise<{ run: Run; wallS: number }> => {
      const logdir = join(work, name, 'logs');
      const started = performance.now();
      const kiln = startKiln(['build', '--tree', resolve(values.tree!), '--bootstrap-kit', resolve(values.kit!), '--logdir', logdir,
        '--packages', join(work, name, 'packages'), '--plain', ...extra, ...positionals]);
      const code = await kiln.exited;
      return { run: await buildResult(logdir, join(work, name, 'packages', 'All'), code, kiln.lines), wallS: (performance.now() - started) / 1000 };
    };
    const here = await build('here', ['--jobs', '1']);
    const hostsFile = join(work, 'hosts');
    await writeFile(hostsFile, `${host.name} jobs=1\n`);
    // The first run sends the tree to the host; the second finds it there.
    const first = await build('first', ['--hosts', hostsFile, '--ssh-config', cluster.sshConfig]);
    const there = await build('there', ['--hosts', hostsFile, '--ssh-config', cluster.sshConfig]);
    const report = async (run: Run): Promise<Map<string, number | null>> => {
      const { packages } = JSON.parse(await readFile(join(run.logdir, 'report.json'), 'utf8')) as
        { packages: Array<{ pkgname: string; duration_s: number | null; phase: string | null; error: string | null; log: string | null }> };
      for (const p of packages.filter((p) => p.phase !== null)) {
        const tail = p.log === null ? '' : (await readFile(join(run.logdir, p.log), 'utf8').catch(() => '')).trim().split('\n').slice(-(process.env['KILN_BENCH_LOG_LINES'] ? Number(process.env['KILN_BENCH_LOG_LINES']) : 6)).join('\n    ');
        process.stdout.write(`${run === here.run ? 'here' : 'there'}: ${p.pkgname} failed in ${p.phase}: ${p.error ?? ''}\n    ${tail}\n`);
      }
      return new Map(packages.map((p) => [p.pkgname, p.duration_s]));
    };
    const [hereS, thereS] = [await report(here.run), await report(there.run)];
    process.stdout.write(`${'package'.padEnd(28)} ${'status here'.padEnd(12)} ${'there'.padEnd(12)} ${'here s'.padStart(8)} ${'there s'.padStart(8)} ${'extra s'.padStart(8)}\n`);
    let same = true;
    for (const [pkgname, status] of [...here.run.statuses].sort()) {
      const other = there.run.statuses.get(pkgname) ?? 'absent';
      same &&= other === status;
      const [a, b] = [hereS.get(pkgname), thereS.get(pkgname)];
      const extra = a == null || b == null ? '' : (b - a).toFixed(1);
      process.stdout.write(`${pkgname.padEnd(28)} ${status.padEnd(12)} ${other.padEnd(12)} ${(a?.toFixed(1) ?? '-').padStart(8)} ${(b?.toFixed(1) ?? '-').padStart(8)} ${extra.padStart(8)}\n`);
    }
    const built = [...there.run.hosts.values()].filter((h) => h === host.name).length;
    process.stdout.write(`\nsame statuses: ${same ? 'yes' : 'NO'}; ${built} packages built on ${host.name}\n`);
    process.stdout.write(`whole run (scan, kit check, tree, builds, index): here ${here.wallS.toFixed(1)} s; there, the tree sent ${first.wallS.toFixed(1)} s, `
      + `the tree on the host ${there.wallS.toFixed(1)} s, ratio ${(there.wallS / here.wallS).toFixed(3)}\n`);
    if (!same) process.exitCode = 1;
  } finally {
    await cluster.teardown();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
