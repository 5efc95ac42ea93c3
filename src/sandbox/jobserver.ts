// kiln's make jobserver for this host: one token per core, shared by the
// jobs that run here (in the coordinator for the local host, in the agent
// for a remote one, agent-jobserver.ts: the agent makes each job's pipe
// and the job runner that builds it opens that, openJobPipe). GNU make's protocol as Debian's make 4.3 speaks it:
// a pipe whose bytes are tokens, named to make in
// MAKEFLAGS=" -jN --jobserver-auth=R,W"; a make that wants to run one more
// sub-job than its first reads a byte, and writes it back when that
// sub-job ends. Each job gets a pipe of its own (a fifo opened read-write
// and unlinked at once: the build holds a descriptor and nothing else, no
// path), so that kiln can give each job its share and lend the rest by
// priority. Every `tickMs` kiln takes the idle tokens out of every pipe and
// puts back what refillTokens (core/token-lending.ts) says: a job that used
// all it had gets its share back first, tokens left idle are lent to the
// builds still running, the longest path first. Tokens are counted per
// job: a build that keeps tokens only holds them until its job ends, and
// bytes a build writes beyond what it was given are thrown away at the
// next look.

import { execFile, spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { refillTokens } from '../core/policies/token-lending.js';

const TOKEN = 0x2b; // '+'

/** A job's place in the jobserver. */
export interface JobTokens {
  /** The pipe's descriptor, for the build's make (read and write end both). */
  readonly fd: number;
  /** The host's cores: the most make jobs a build may run at once. */
  readonly cores: number;
  /** MAKEFLAGS for a build that gets the pipe as descriptor `inside`. */
  makeflags(inside: number): string;
}

interface Member {
  readonly id: number;
  readonly fd: number;
  readonly share: number;
  readonly priority: number;
  /** Tokens given to the job and not taken back: in its pipe or held by its make. */
  out: number;
  /** The most make jobs it had at once, as far as the looks saw. */
  most: number;
}

export class Jobserver {
  private readonly members = new Map<number, Member>();
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(readonly cores: number, private readonly tickMs = 200) {}

  /**
   * A job joins with `share` make jobs and its build priority; undefined
   * when no pipe can be made. A job that may not run make in parallel
   * (`parallel` false) gets no pipe: it only counts its one core. With
   * `at`, the pipe is the fifo there (made with makeFifo), left for the
   * process that builds the job to open and unlink (openJobPipe); else it
   * is made and unlinked at once. leave() may be called more than once.
   */
  join(share: number, priority: number, parallel = true, at?: string): (JobTokens & { leave(): number }) | undefined {
    const fd = parallel ? (at === undefined ? this.pipe() : openFifo(at)) : -1;
    if (fd === undefined) return undefined;
    const member: Member = { id: this.nextId++, fd, share: parallel ? Math.max(1, share) : 1, priority, out: 0, most: 1 };
    this.members.set(member.id, member);
    this.look();
    this.timer ??= setInterval(() => this.look(), this.tickMs);
    this.timer.unref();
    const cap = this.cores;
    return {
      fd,
      cores: cap,
      makeflags: makeflagsFor(cap),
      leave: () => this.leave(member),
    };
  }

  /** Make jobs each job has now (its make's own one plus the tokens out), by join order: for tests and the log. */
  holdings(): number[] {
    return [...this.members.values()].map((m) => 1 + m.out);
  }

  private leave(member: Member): number {
    if (!this.members.delete(member.id)) return member.most;
    if (member.fd >= 0) closeSync(member.fd);
    if (this.members.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.look();
    return member.most;
  }

  /** Takes the idle tokens out of every pipe and hands them out anew (every `tickMs`, and as jobs join and leave). */
  look(): void {
    const pipes = [...this.members.values()].map((m) => {
      const idle = m.fd < 0 ? 0 : drain(m.fd, m.out);
      const held = m.out - idle;
      m.most = Math.max(m.most, 1 + held);
      return { member: m, look: { job: m.id, share: m.share, held, hungry: m.fd >= 0 && idle === 0, priority: m.priority } };
    });
    const give = refillTokens(this.cores, pipes.map((p) => p.look));
    for (const { member, look } of pipes) {
      const n = give.get(member.id) ?? 0;
      member.out = look.held + (member.fd < 0 ? 0 : fill(member.fd, n));
    }
  }

  /** A fifo opened read-write without blocking, in a directory of its own that is removed at once. */
  private pipe(): number | undefined {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(tmpdir(), 'kiln-jobserver-'));
      const path = join(dir, 'tokens');
      return spawnSync('mkfifo', ['-m', '600', path]).status === 0 ? openFifo(path) : undefined;
    } catch {
      return undefined;
    } finally {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Stops looking (for tests; a host's jobserver lives as long as its process). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

const READ_WRITE = constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW;

/** Makes a fifo at `path`, mode 600 (nothing may be there), without blocking this process: whether it did. */
export function makeFifo(path: string): Promise<boolean> {
  return new Promise((done) => execFile('mkfifo', ['-m', '600', path], (err) => done(err === null)));
}

/** The fifo at `path` opened read-write without blocking, never through a link. */
function openFifo(path: string): number | undefined {
  try {
    return openSync(path, READ_WRITE);
  } catch {
    return undefined;
  }
}

function makeflagsFor(cores: number): (inside: number) => string {
  return (inside) => ` -j${cores} --jobserver-auth=${inside},${inside}`;
}

/**
 * A job's pipe that another process's jobserver made for it (the agent's,
 * for a job a runner builds): opened read-write without blocking and
 * without following a link, taken only when it is a fifo of this user's
 * that no one else may open, and unlinked at once, so the build gets a
 * descriptor and never a path. undefined when it is none of that. Its
 * leave() closes it: the tokens are the other process's to count.
 */
export function openJobPipe(path: string, cores: number): (JobTokens & { leave(): undefined }) | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_WRITE);
  } catch {
    return undefined;
  }
  const made = fstatSync(fd);
  if (!made.isFIFO() || made.uid !== process.getuid?.() || (made.mode & 0o077) !== 0) {
    closeSync(fd);
    return undefined;
  }
  try {
    unlinkSync(path);
  } catch {
    // gone already: the descriptor is what counts
  }
  let open = true;
  return {
    fd,
    cores,
    makeflags: makeflagsFor(cores),
    leave: () => {
      if (open) closeSync(fd);
      open = false;
      return undefined;
    },
  };
}

/** The job log's line on how a job used the jobserver. */
export function jobserverNote(makeJobs: number, cores: number, most: number): string {
  return `make jobserver: started with ${makeJobs} make jobs of the host's ${cores}, ran up to ${most} at once`;
}

const buffer = Buffer.alloc(4096);

/** Reads every byte waiting in the pipe; returns how many of them were tokens given out (at most `out`). */
function drain(fd: number, out: number): number {
  let read = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch {
      break; // EAGAIN: empty
    }
    if (n <= 0) break;
    read += n;
  }
  return Math.min(read, out);
}

/** Writes `n` tokens; returns how many went in. */
function fill(fd: number, n: number): number {
  if (n <= 0) return 0;
  try {
    return writeSync(fd, Buffer.alloc(n, TOKEN));
  } catch {
    return 0;
  }
}

let host: Jobserver | undefined;

/** This host's jobserver, with `cores` tokens (made by the first job that asks; a changed core count makes a new one for later jobs). */
export function hostJobserver(cores: number): Jobserver {
  if (host?.cores !== cores) host = new Jobserver(cores);
  return host;
}
