// The parts of a run that keep work from being lost or done twice, set up
// once the tree is resolved: the port locks (this run directory's own from
// an earlier process adopted, other runs' honoured), each package's stamp,
// and the currency verdicts the plan starts from.

import type { FailedRecord } from '../core/job/build-stamp.js';
import type { Job } from '../core/engine/engine-events.js';
import type { PkgName, PkgPath } from '../core/model.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import { DEFAULT_PREFIX } from '../sandbox/sandbox-config.js';
import type { RunStore } from '../store/run-store.js';
import { BuildInputsOf } from './build-inputs.js';
import type { Clock } from './clock.js';
import type { JobSetup } from './job-hooks.js';
import { Currency, type StartVerdict } from './currency.js';
import { LockKeeper } from './lock-keeper.js';
import { PackageStamps } from './package-stamps.js';
import { PortLocks } from './port-locks.js';
import { thisProcess } from './process-owner.js';
import { StoreScanCache } from './scan-cache-store.js';

export interface DurabilityOptions {
  readonly store: RunStore;
  readonly run: number;
  readonly root: string;
  readonly allDir: string;
  readonly lockdir: string;
  readonly logdir: string;
  /** The packages of the run so far (the scan may go on: `add`). */
  readonly packages: Map<PkgName, ResolvedPackage>;
  readonly clock: Clock;
  readonly say: (level: 'info' | 'warning' | 'error', text: string) => void;
  readonly force: readonly PkgPath[];
  readonly rebuildAll: boolean;
  readonly maxAttempts: number;
}

export interface Durability {
  readonly locks: LockKeeper;
  readonly currency: Currency;
  /** What the currency check says of each package so far. */
  readonly verdicts: ReadonlyMap<PkgName, StartVerdict>;
  /** Takes packages the scan found since (their dependencies are known already or come with them). */
  add(packages: readonly ResolvedPackage[]): void;
  /** Adds the inputs a job builds from to its BuildJob, and records them before it runs. */
  stamp(job: Job, setup: JobSetup): JobSetup;
  /** One line for the operator: how much is current, how much to build. */
  summary(plan: readonly { readonly pkgname: PkgName }[]): string;
}

export function prepareDurability(o: DurabilityOptions): Durability {
  const stamps = new PackageStamps(o.store, o.allDir);
  const pkgpaths = new Set([...o.packages.values()].map((p) => p.pkgpath));
  const locks: LockKeeper = new LockKeeper(
    new PortLocks(o.lockdir, o.logdir, o.run, thisProcess(), () => o.clock.now()),
    pkgpaths,
    { maxAttempts: o.maxAttempts, say: o.say, now: () => o.clock.now(), builtElsewhere: (job, inputs): boolean => currency.builtElsewhere(job.pkgname, inputs) },
  );
  locks.adopt();
  const forced = new Set(o.force);
  const currency: Currency = new Currency({
    run: o.run, packages: o.packages, stamps,
    inputsOf: new BuildInputsOf(o.root, new StoreScanCache(o.store), stamps, DEFAULT_PREFIX),
    failure: (pkgpath): FailedRecord | undefined => locks.failure(pkgpath),
    forced: (pkg: ResolvedPackage) => o.rebuildAll || forced.has(pkg.pkgpath),
  });
  const verdicts = currency.atStart();
  return {
    locks, currency, verdicts,
    add(packages) {
      for (const pkg of packages) {
        o.packages.set(pkg.pkgname, pkg);
        pkgpaths.add(pkg.pkgpath);
      }
      currency.atStart();
    },
    stamp(job, setup) {
      const inputs = currency.inputsForJob(job.pkgname);
      if (inputs === undefined) return setup;
      stamps.intend(job.pkgname, { run: o.run, inputs, startedAt: job.startedAt });
      return { ...setup, buildJob: { ...setup.buildJob, metadata: { ...setup.buildJob.metadata, inputs } } };
    },
    summary(plan) {
      const count = (status: StartVerdict['status']): number => plan.filter((e) => verdicts.get(e.pkgname)?.status === status).length;
      const parts = [`${count('up-to-date')} of ${plan.length} up to date`];
      if (count('recheck') > 0) parts.push(`${count('recheck')} checked again once what they need is rebuilt`);
      if (count('failed') > 0) parts.push(`${count('failed')} failed before with the same inputs (kiln retry PKGPATH builds one again)`);
      if (count('done') > 0) parts.push(`${count('done')} built earlier in this run`);
      return `currency: ${parts.join(', ')}`;
    },
  };
}
