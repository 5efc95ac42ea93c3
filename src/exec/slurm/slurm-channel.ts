// The Slurm channel to an agent: `srun` asks Slurm for an allocation (one
// node, the slots' CPUs, the time limit) and runs the agent's bootstrap in
// it, its stdio being the agent's link, as an ssh session is. One srun is
// one allocation: when the agent ends (a `bye`, an idle host given back, a
// lost link) the allocation ends with it, and a cancelled or preempted
// allocation ends the link, which the coordinator takes as a lost host.
// The job name is the channel's own, so what is left of it can be found and
// cancelled (`scancel --name`), and its state read for messages.

import { execFile } from 'node:child_process';
import type { AgentChannel, ChannelResult, Placement } from '../agent-channel.js';

export interface SlurmRequest {
  readonly partition: string;
  /** CPUs of the allocation (`--cpus-per-task`): the host's cores. */
  readonly cpus: number;
  /** `--time`, minutes. */
  readonly timeMin?: number | undefined;
  /** `--constraint`: node features Slurm must match. */
  readonly constraint?: string | undefined;
  /** `--job-name`: unique to this host of this coordinator. */
  readonly jobName: string;
  /** How long the allocation may stay pending before kiln gives up this try (and asks again later). */
  readonly waitS?: number | undefined;
}

/** Slurm's commands; tests point them elsewhere through SLURM_CONF in the environment, as any Slurm client. */
const SRUN = 'srun';

export class SlurmChannel implements AgentChannel {
  readonly startWithinMs: number;
  readonly #r: SlurmRequest;

  constructor(request: SlurmRequest) {
    this.#r = request;
    this.startWithinMs = (request.waitS ?? 3600) * 1000;
  }

  async open(signal: AbortSignal): Promise<ChannelResult> {
    // An allocation of ours left from an earlier session (a coordinator killed mid-wait) is not ours to wait for.
    await this.ended();
    const partitions = await slurm('sinfo', ['--noheader', '--format=%R', `--partition=${this.#r.partition}`], signal);
    if (!partitions.ok) return { ok: false, reason: `Slurm does not answer: ${partitions.detail}` };
    if (!partitions.out.split('\n').map((l) => l.trim()).includes(this.#r.partition)) {
      return { ok: false, reason: `Slurm has no partition ${JSON.stringify(this.#r.partition)}` };
    }
    return { ok: true };
  }

  launch(command: string): { readonly program: string; readonly args: readonly string[] } {
    const r = this.#r;
    return {
      program: SRUN,
      args: [
        `--partition=${r.partition}`, '--nodes=1', '--ntasks=1', `--cpus-per-task=${r.cpus}`, `--job-name=${r.jobName}`,
        ...(r.timeMin === undefined ? [] : [`--time=${r.timeMin}`]),
        ...(r.constraint === undefined ? [] : [`--constraint=${r.constraint}`]),
        '--kill-on-bad-exit=1', '--quiet', '--', '/bin/sh', '-c', command,
      ],
    };
  }

  /** The job's state as Slurm still knows it (`squeue --states=all`), after making sure it is cancelled. */
  async ended(): Promise<string> {
    const seen = await slurm('squeue', ['--noheader', '--states=all', `--name=${this.#r.jobName}`, '--format=%i %T %r %N'], undefined);
    await slurm('scancel', ['--quiet', `--name=${this.#r.jobName}`], undefined);
    const last = seen.ok ? seen.out.trim().split('\n').filter((l) => l !== '').at(-1) : undefined;
    if (last === undefined) return '';
    const [id = '', state = '', reason = '', node = ''] = last.split(' ');
    return `Slurm job ${id} ${state}${reason !== '' && reason !== 'None' ? ` (${reason})` : ''}${node !== '' ? ` on ${node}` : ''}`;
  }

  async close(): Promise<void> {
    await slurm('scancel', ['--quiet', `--name=${this.#r.jobName}`], undefined);
  }

  /** The allocation as squeue shows it: pending with Slurm's reason, or running with its job id and node; undefined when gone. */
  async placement(): Promise<Placement | undefined> {
    const seen = await slurm('squeue', ['--noheader', `--name=${this.#r.jobName}`, '--format=%i %T %r %N'], undefined);
    return seen.ok ? placementOf(seen.out) : undefined;
  }
}

/** squeue's `%i %T %r %N` lines for one job name: the first job's placement. */
export function placementOf(squeue: string): Placement | undefined {
  const [job = '', state = '', reason = '', node = ''] = (squeue.trim().split('\n')[0] ?? '').trim().split(/\s+/);
  if (job === '') return undefined;
  if (state === 'PENDING' || state === 'CONFIGURING') return { pending: true, manager: 'Slurm', reason: reason === '' || reason === 'None' ? state.toLowerCase() : reason };
  return { pending: false, where: `Slurm job ${job}${node === '' ? '' : ` on ${node}`}` };
}

type SlurmAnswer = { readonly ok: true; readonly out: string } | { readonly ok: false; readonly detail: string };

/** Runs a Slurm client command (no shell), 30 s at most. */
function slurm(program: string, args: readonly string[], signal: AbortSignal | undefined): Promise<SlurmAnswer> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 30_000, maxBuffer: 1 << 20, ...(signal && { signal }) }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, detail: `${program}: ${(stderr.trim().split('\n').at(-1) ?? '') || err.message}` });
      else resolve({ ok: true, out: stdout });
    });
  });
}
