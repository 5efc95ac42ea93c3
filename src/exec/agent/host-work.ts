// What the agent runs for the coordinator, a build job or a scan: each waits
// for the files it needs in the cache, starts once they are all there, can
// be cancelled, and is ended with the agent.

export interface HostWork {
  /** Resolves once it has told the coordinator how it ended (or was terminated). */
  readonly ended: Promise<void>;
  /** A file it needed arrived; it starts once nothing is missing. */
  arrived(hash: string): void;
  /** A file it needed could not be had: it ends with that reason. */
  unavailable(hash: string, reason: string): void;
  /** Starts at once when nothing is missing. */
  kick(): void;
  cancel(): void;
  /** For the agent's own end: stop now and remove what it made. */
  terminate(): Promise<void>;
}
