// What becomes of a package when its job ends: built (its dependents wait
// on one package fewer), failed (and so are they), or ended by the
// infrastructure, charged to the package or to its host
// (engine-host-events.ts) and run again until it has had its attempts. A
// job whose host is lost, or whose pkgpath another run turns out to hold,
// puts its package back in the queue; another run's failure with the same
// inputs fails it. A retry opens a failed pkgpath again, and what it alone
// blocked.

import type { EngineCommand, EngineEvent, Job } from './engine-events.js';
import type { HostEvents } from './engine-host-events.js';
import type { HostPool } from './engine-hosts.js';
import type { PathGate } from './engine-paths.js';
import type { Readiness } from './engine-readiness.js';
import type { PackageStates } from './engine-states.js';
import type { BuildGraph } from '../resolve/graph.js';
import type { JobOutcome, PkgPath } from '../model.js';
import { unreachable } from '../unreachable.js';

/** What ending jobs reads and writes of the engine. */
export interface JobEndContext {
  readonly graph: BuildGraph;
  readonly states: PackageStates;
  readonly readiness: Readiness;
  readonly hosts: HostPool;
  readonly hostEvents: HostEvents;
  readonly paths: PathGate;
  /** Infrastructure failures charged to each package (a retry clears them). */
  readonly attempts: Int32Array;
  /** The running job of each package being built. */
  readonly jobOfNode: Map<number, number>;
  readonly maxAttempts: number;
}

export function jobEnded(ctx: JobEndContext, out: EngineCommand[], at: number, jobId: number, outcome: JobOutcome): void {
  const job = ctx.hosts.running.get(jobId)?.job;
  if (!job) return; // already requeued (its host was lost) or cancelled
  release(ctx, job);
  const id = ctx.graph.id(job.pkgname)!;
  if (outcome.kind !== 'infrastructure') ctx.hostEvents.jobEndedWell(job.host);
  switch (outcome.kind) {
    case 'built':
      ctx.states.set(out, at, id, 'done', {}, job.id);
      ctx.readiness.releaseDependents(out, at, id);
      break;
    case 'failed': ctx.states.fail(out, at, id, { phase: outcome.phase, error: outcome.error }, job.id); break;
    case 'infrastructure': {
      const blame = outcome.full === undefined ? ctx.hostEvents.infrastructure(out, at, job.host, id, outcome.reason) : { charge: false, forgiven: [] };
      for (const forgiven of blame.forgiven) ctx.attempts[forgiven] = Math.max(0, ctx.attempts[forgiven]! - 1);
      if (blame.charge) ctx.attempts[id]!++;
      if (ctx.attempts[id]! < ctx.maxAttempts) requeue(ctx, out, at, job, outcome.reason, outcome.reason);
      else ctx.states.fail(out, at, id, { phase: 'infrastructure', error: 'infrastructure', reason: outcome.reason }, job.id);
      break;
    }
    default: unreachable(outcome);
  }
}

/** `host` is lost (`reason`): its jobs' packages go back to the queue. */
export function hostLost(ctx: JobEndContext, out: EngineCommand[], at: number, host: string, reason: string): void {
  for (const job of ctx.hostEvents.down(out, at, host, reason)) {
    release(ctx, job);
    requeue(ctx, out, at, job, reason, `host ${host} lost: ${reason}`);
  }
}

export function retry(ctx: JobEndContext, out: EngineCommand[], at: number, pkgpath: PkgPath): void {
  for (let id = 0; id < ctx.graph.size; id++) {
    if (ctx.graph.pkgpaths[id] !== pkgpath || ctx.states.status[id] !== 'failed') continue;
    ctx.attempts[id] = 0;
    ctx.states.set(out, at, id, 'open', { reason: 'retry asked' });
    ctx.readiness.reopened(id);
    ctx.states.unblock(out, at, id, (d) => ctx.readiness.reopened(d));
  }
}

/** Another run holds a pkgpath (its job here, if any, waits for it), or failed it with the same inputs. */
export function pathLocked(ctx: JobEndContext, out: EngineCommand[], at: number, event: Extract<EngineEvent, { type: 'path-locked' }>): void {
  const job = event.job === undefined ? undefined : ctx.hosts.running.get(event.job)?.job;
  if (event.failed === undefined) ctx.paths.hold(event.pkgpath, event.by);
  if (job) {
    release(ctx, job);
    requeue(ctx, out, at, job, `${event.pkgpath} is locked by ${event.by}`, `waits for ${event.by}`);
  }
  const failed = event.failed;
  for (let id = 0; failed && id < ctx.graph.size; id++) {
    if (ctx.graph.pkgpaths[id] !== event.pkgpath || ctx.states.status[id] !== 'open') continue;
    ctx.readiness.checking.delete(id);
    ctx.states.fail(out, at, id, { ...failed, reason: `failed in ${event.by} with the same inputs` });
  }
}

/** `job` ended without building its package (`reason`): it is open again (`why`), to be run again. */
function requeue(ctx: JobEndContext, out: EngineCommand[], at: number, job: Job, reason: string, why: string): void {
  out.push({ type: 'requeue', at, job, reason });
  const id = ctx.graph.id(job.pkgname)!;
  ctx.states.set(out, at, id, 'open', { reason: why }, job.id);
  ctx.readiness.reopened(id);
}

function release(ctx: JobEndContext, job: Job): void {
  ctx.jobOfNode.delete(ctx.graph.id(job.pkgname)!);
  ctx.hosts.release(job);
  for (const id of ctx.paths.free(job.pkgpath)) if (ctx.states.status[id] === 'open') ctx.readiness.ready.push(id);
}
