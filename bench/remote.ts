// bench:remote — what a remote host costs, measured against one test host in
// a network namespace (real OpenSSH, real agent):
//   connect: cold (new master, agent sent) and warm (new master, agent cached)
//   per job: the same trivial job run by buildPackage in this process vs.
//            through SshExecutor (transfer, runner process, logs, package),
//            interleaved (local, local on tmpfs, remote) so the machine's
//            load moves all three alike. Like-for-like: kiln logs in as
//            root, as it runs here, so both build as nobody in a cgroup;
//            the host's scratch is on tmpfs (its /var/tmp is one), so the
//            local run it is compared with puts its scratch on tmpfs too.
//   loss:    from a cut link, and from a killed ssh session, to onLost
// Needs root (network namespaces). Rerun: npm run bench:remote

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshExecutor } from '../src/exec/ssh/ssh-executor.js';
import { buildPackage } from '../src/sandbox/builder.js';
import type { BuildJob, BuildReport } from '../src/job/build-job.js';
import { jobFor, makeTree, portfile, recordingWatcher } from '../test/support/fixture-tree.js';
import { clusterUnavailable, createCluster } from '../test/support/netns-hosts.js';
import { runCommand } from '../test/support/run-command.js';
import { row, summary, timed } from './timings.js';

const JOBS = 40;
const CONNECTS = 5;
const CUTS = 3;
const signal = new AbortController().signal;

async function main(): Promise<void> {
  const unavailable = clusterUnavailable();
  if (unavailable) {
    process.stderr.write(`bench:remote: ${unavailable}\n`);
    process.exitCode = 2;
    return;
  }
  const loadStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  const work = await mkdtemp(join(tmpdir(), 'kiln-bench-remote-'));
  const cluster = await createCluster({ prefix: 'kbr', subnet: 26, hosts: 1 });
  const host = cluster.hosts[0];
  const executors: SshExecutor[] = [];
  const scratches: string[] = [];
  try {
    if (!host) throw new Error('no host');
    const tree = join(work, 'tree');
    await chmod(work, 0o755); // local builds run as nobody when kiln runs as root
    await makeTree(tree, { 'cat/trivial': { Portfile: portfile('trivial-1.0', { build: 'echo built', install: 'mkdir -p "$DESTDIR$PREFIX/share"\necho trivial > "$DESTDIR$PREFIX/share/trivial"' }) } });
    const make = (): SshExecutor => {
      const e = new SshExecutor({ destination: `root@${host.name}`, sshConfig: cluster.sshConfig });
      executors.push(e);
      return e;
    };
    const connected = async (e: SshExecutor): Promise<void> => {
      const r = await e.connect(signal);
      if (!r.ok) throw new Error(r.reason);
    };

    const [cold] = await timed(() => connected(make()));
    const warm: number[] = [];
    for (let i = 0; i < CONNECTS; i++) {
      const e = make();
      warm.push((await timed(() => connected(e)))[0]);
      await e.close();
    }

    const executor = make();
    await connected(executor);
    const shm = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/kiln-bench-remote-') : undefined;
    scratches.push(...(shm === undefined ? [] : [shm]));
    if (shm !== undefined) await chmod(shm, 0o755);
    const local: number[] = [];
    const localShm: number[] = [];
    const remote: number[] = [];
    const built = (r: BuildReport): void => {
      if (r.outcome.kind !== 'built') throw new Error(JSON.stringify(r.outcome));
    };
    for (let i = 0; i <= JOBS; i++) { // the first of each warms up (the remote one sends the port's files)
      const job = (where: string): BuildJob => jobFor(tree, join(work, where, String(i)), 'cat/trivial', 'trivial-1.0');
      const [l, lr] = await timed(() => buildPackage(job('local'), { signal }));
      const [s, sr] = await timed(() => buildPackage(job('local-shm'), { signal, ...(shm !== undefined && { scratch: shm }) }));
      const [m, mr] = await timed(() => executor.run(job('remote'), recordingWatcher(), signal));
      for (const r of [lr, sr, mr]) built(r);
      local.push(l);
      localShm.push(s);
      remote.push(m);
    }
    const firstRemote = remote.shift() ?? NaN;
    local.shift();
    localShm.shift();

    const cuts: number[] = [];
    for (let i = 0; i < CUTS; i++) {
      const e = make();
      await connected(e);
      const lost = new Promise<number>((resolve) => e.onLost(() => resolve(performance.now())));
      const at = performance.now();
      await cluster.cut(host);
      cuts.push((await lost) - at);
      await cluster.restore(host);
      await e.close();
    }
    const kills: number[] = [];
    for (let i = 0; i < CUTS; i++) {
      const e = make();
      await connected(e);
      const lost = new Promise<number>((resolve) => e.onLost(() => resolve(performance.now())));
      const { session } = await e.sshPids();
      const at = performance.now();
      if (session !== undefined) process.kill(session, 'SIGKILL');
      kills.push((await lost) - at);
      await e.close();
    }

    const sshVersion = (await runCommand('ssh', ['-V'])).stderr.trim();
    const l = summary(local);
    const ls = summary(localShm);
    const r = summary(remote);
    const out = [
      `bench:remote — one host in a network namespace; ${sshVersion}; node ${process.version}; root login, builds as nobody on both sides`,
      `load average at start ${loadStart}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} cores)`,
      `${'ms'.padStart(46)} ${'mean'.padStart(8)} ${'p50'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'n'.padStart(4)}`,
      row('connect, cold (master + agent sent + checks)', summary([cold])),
      row('connect, warm (master + cached agent + checks)', summary(warm)),
      row('trivial job, local (buildPackage in-process)', l),
      row('trivial job, local, scratch on tmpfs', ls),
      row('trivial job, first remote (port files sent)', summary([firstRemote])),
      row('trivial job, remote (files cached on host)', r),
      row('cut link (peer side down) → onLost', summary(cuts)),
      row('SIGKILL of the session ssh → onLost', summary(kills)),
      '',
      `per-job overhead of a remote job: ${(r.mean - ls.mean).toFixed(1)} ms mean, ${(r.p50 - ls.p50).toFixed(1)} ms p50 ` +
        `(remote/local = ${(r.mean / ls.mean).toFixed(2)}×), against the local run with its scratch on tmpfs as the host's is;`,
      `  against the local run with its scratch in ${tmpdir()}: ${(r.mean - l.mean).toFixed(1)} ms mean, ${(r.p50 - l.p50).toFixed(1)} ms p50`,
      'loss detection with the defaults: ServerAliveInterval 1 × ServerAliveCountMax 5',
      'rerun: npm run bench:remote   (as root; uses 10.231.26.0/24 and namespace kbr1)',
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const e of executors) await e.close();
    await cluster.teardown();
    await rm(work, { recursive: true, force: true });
    for (const dir of scratches) await rm(dir, { recursive: true, force: true });
  }
}

await main();
