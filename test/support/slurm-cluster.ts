// A real Slurm cluster of one node on this machine, for tests: munged,
// slurmctld and slurmd, started as root with a key, a slurm.conf and state
// directories of the test's own in a temporary directory, on free ports.
// Clients (srun, squeue, scancel, and kiln started by the test) find it
// through SLURM_CONF, which start() sets in this process's environment.
// stop() cancels every job and ends the three daemons it started, by pid.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, runCommand, waitFor } from './run-command.js';

const DAEMONS = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd'];

/** Why Slurm tests cannot run here, or false. */
export function slurmUnavailable(): string | false {
  if (process.getuid?.() !== 0) return 'the Slurm daemons are started as root';
  const missing = DAEMONS.filter((d) => !existsSync(d));
  return missing.length > 0 ? `not installed: ${missing.join(', ')} (Debian: slurm-wlm, munge)` : false;
}

export interface SlurmJob { readonly id: string; readonly name: string; readonly state: string; readonly node: string }

export class SlurmCluster {
  readonly partition = 'kilntest';
  private constructor(readonly dir: string, readonly conf: string) {}

  static async start(cpus: number): Promise<SlurmCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'kiln-slurm-'));
    await chmod(dir, 0o755);
    for (const sub of ['state', 'spool', 'log']) await mkdir(join(dir, sub));
    const key = join(dir, 'munge.key');
    await writeFile(key, randomBytes(1024), { mode: 0o400 });
    const socket = join(dir, 'munge.sock');
    await mustRun('/usr/sbin/munged', ['--force', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(dir, 'munged.pid')}`,
      `--log-file=${join(dir, 'log', 'munged.log')}`, `--seed-file=${join(dir, 'munge.seed')}`]);
    const [ctld, slurmd] = [await freePort(), await freePort()];
    const node = hostname();
    const conf = join(dir, 'slurm.conf');
    await writeFile(conf, [
      `ClusterName=kiln${randomBytes(3).toString('hex')}`, `SlurmctldHost=${node}(127.0.0.1)`, 'SlurmUser=root',
      'AuthType=auth/munge', `AuthInfo=socket=${socket}`, `SlurmctldPort=${ctld}`, `SlurmdPort=${slurmd}`,
      `StateSaveLocation=${dir}/state`, `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`, `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`, `SlurmdLogFile=${dir}/log/slurmd.log`,
      'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core',
      'ReturnToService=2', 'MpiDefault=none', 'JobAcctGatherType=jobacct_gather/none', 'SchedulerType=sched/builtin',
      'SlurmdParameters=config_overrides', 'MinJobAge=300',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      'PartitionName=kilntest Nodes=ALL Default=YES MaxTime=INFINITE State=UP', '',
    ].join('\n'));
    const cluster = new SlurmCluster(dir, conf);
    process.env['SLURM_CONF'] = conf;
    await mustRun('/usr/sbin/slurmctld', ['-f', conf]);
    await mustRun('/usr/sbin/slurmd', ['-f', conf]);
    const idle = await waitFor(async () => /idle/.test((await runCommand('sinfo', ['--noheader', '--format=%t', `--partition=${cluster.partition}`])).stdout.toString()), 30_000, 250);
    if (!idle) throw new Error(`the test's Slurm node did not become idle: ${await cluster.logTail()}`);
    return cluster;
  }

  /** The jobs Slurm holds now whose name starts with `prefix` (pending and running; `all` for ended ones too). */
  async jobs(prefix = 'kiln-', all = false): Promise<SlurmJob[]> {
    const r = await mustRun('squeue', ['--noheader', ...(all ? ['--states=all'] : []), '--format=%i %j %T %N']);
    return r.stdout.toString().split('\n').filter((l) => l.trim() !== '').map((l) => {
      const [id = '', name = '', state = '', node = ''] = l.trim().split(/\s+/);
      return { id, name, state, node };
    }).filter((j) => j.name.startsWith(prefix));
  }

  async cancel(id: string): Promise<void> {
    await mustRun('scancel', [id]);
  }

  async logTail(): Promise<string> {
    const tail = async (f: string): Promise<string> => (await readFile(join(this.dir, 'log', f), 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
    return `slurmctld: ${await tail('slurmctld.log')}\nslurmd: ${await tail('slurmd.log')}`;
  }

  async stop(): Promise<void> {
    await runCommand('scancel', ['--quiet', `--partition=${this.partition}`]);
    for (const name of ['slurmd.pid', 'slurmctld.pid', 'munged.pid']) {
      const pid = Number((await readFile(join(this.dir, name), 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
        await waitFor(() => !existsSync(`/proc/${pid}`), 10_000, 100);
      }
    }
    if (process.env['SLURM_CONF'] === this.conf) delete process.env['SLURM_CONF'];
    await rm(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
