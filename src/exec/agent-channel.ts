// How the coordinator reaches a host's agent: a process whose stdin and
// stdout are the agent's link. Over ssh it is a session on the host's
// ControlMaster (src/exec/ssh/ssh-channel.ts); from a cluster manager it is
// Slurm's `srun`, which also asks for the allocation the agent runs in
// (src/exec/slurm/slurm-channel.ts). Everything above the channel (the
// handshake, jobs, blobs, scans, a lost host) is the same for both.

export type ChannelResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Where a cluster manager's allocation stands: asked for and waiting, with
 * the manager's reason (Slurm's `Resources`, `Priority`), or given: its job
 * and node (`Slurm job 812 on node17`).
 */
export type Placement =
  | { readonly pending: true; readonly manager: string; readonly reason: string }
  | { readonly pending: false; readonly where: string };

export interface AgentChannel {
  /** How long the agent may take to say it is ready, a wait for an allocation included. */
  readonly startWithinMs: number;
  /** Makes the channel ready before a launch (ssh: its master connection); why not. */
  open(signal: AbortSignal): Promise<ChannelResult>;
  /** The program and arguments that run `command` (a line for /bin/sh) on the host, stdio being the link. */
  launch(command: string): { readonly program: string; readonly args: readonly string[] };
  /**
   * Once a launched process has ended or been given up: what the channel
   * knows of why (ssh's master log, the Slurm job's state), and whatever it
   * must release (a Slurm allocation); '' when it knows nothing.
   */
  ended(): Promise<string>;
  /** Ends what `open` made (ssh: the master; Slurm: any allocation of ours still there). */
  close(): Promise<void>;
  /** The allocation of the agent launched last, as its manager knows it; undefined when there is none (ssh: never). */
  placement?(): Promise<Placement | undefined>;
  /** ssh's master process, for diagnostics and fault tests. */
  masterPid?(): Promise<number | undefined>;
}
