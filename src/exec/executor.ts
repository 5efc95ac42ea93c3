// An executor runs jobs on one host: `localhost` directly, any other host
// through its ssh connection and kiln's agent. The runtime gives every
// executor the same BuildJob (paths on the coordinator); a remote executor
// carries files there and back.

import type { HostLoad } from '../core/engine/engine-events.js';
import type { BuildJob, BuildReport } from '../job/build-job.js';
import type { Placement } from './agent-channel.js';

/** What a host told us when it was checked, before it gets any job. */
export interface HostInfo {
  readonly arch: string;
  readonly os: string;
  readonly node: string;
  readonly cores: number;
  readonly memoryMiB: number;
}

export type ConnectResult =
  | { readonly ok: true; readonly info: HostInfo }
  /**
   * The host cannot take jobs; `reason` says why, for the operator.
   * `lasting`: nothing this run does can change it (the host is of another
   * architecture), so it is not tried again until its hosts-file line is.
   */
  | { readonly ok: false; readonly reason: string; readonly lasting?: true };

/** Progress of one running job, as it happens. */
export interface JobWatcher {
  phase(phase: string): void;
  /** The job's log has grown to `bytes`. */
  log(bytes: number): void;
  /** Output came that the log cap left out: the job is alive though its log stays the same size. */
  alive?(): void;
}

export interface Executor {
  readonly host: string;
  /** Connects and checks the host. Safe to call again after a loss. */
  connect(signal: AbortSignal): Promise<ConnectResult>;
  /**
   * Runs one job to its end. A lost connection ends it with an
   * `infrastructure` outcome; `onLost` has fired before that.
   */
  run(job: BuildJob, watcher: JobWatcher, signal: AbortSignal): Promise<BuildReport>;
  /** Called once each time the host's connection is lost. */
  onLost(listener: (reason: string) => void): void;
  /** Called with the host's measured load every few seconds while it is connected (hosts that can measure it). */
  onLoad?(listener: (load: HostLoad) => void): void;
  /**
   * A host held only while the build needs it (a Slurm allocation): brought
   * up when ready work finds no free slot, given back after `idleS` seconds
   * without a job while nothing waits; with `limitS` (the allocation's time
   * limit), it takes no job it cannot finish in time and is given back before its end.
   */
  readonly onDemand?: { readonly idleS: number; readonly limitS?: number | undefined } | undefined;
  /** Where its cluster manager's allocation stands (hosts from Slurm); undefined when it has none. */
  placement?(): Promise<Placement | undefined>;
  close(): Promise<void>;
}
