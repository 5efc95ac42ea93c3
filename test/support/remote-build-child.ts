// kiln's runtime in a process of its own, building on ssh hosts, for the
// tests that SIGKILL a coordinator with remote jobs: argv[2] is JSON
// {tree, logdir, packages, sshConfig, hosts}. Without it (as when the test
// runner loads every file under test/) it does nothing.

import { openBuildStores } from '../../src/cli/build-stores.js';
import { policySet } from '../../src/core/policies/policy-set.js';
import { SshExecutor } from '../../src/exec/ssh/ssh-executor.js';
import { PortfileDriver } from '../../src/ports/portfile/portfile-driver.js';
import { writeRepositoryIndex } from '../../src/report/repository/pkg-summary.js';
import { RunFilesReporter } from '../../src/report/sinks/run-files.js';
import { buildRun } from '../../src/runtime/build-run.js';
import { systemClock } from '../../src/runtime/clock.js';

interface ChildArgs { tree: string; logdir: string; packages: string; sshConfig: string; hosts: string[] }

export async function remoteBuild(a: ChildArgs): Promise<string> {
  const executors = a.hosts.map((name) => new SshExecutor({ destination: name, sshConfig: a.sshConfig }));
  try {
    const result = await buildRun({
      driver: new PortfileDriver(a.tree), logdir: a.logdir, repository: a.packages, pkgpaths: [], scanJobs: 2,
      hosts: executors.map((executor) => ({ executor, spec: { name: executor.host, slots: 1, speed: 1, cores: 1 } })),
      sink: new RunFilesReporter(a.logdir), clock: systemClock, signal: new AbortController().signal, args: ['remote-build-child'],
      engine: { ...policySet('kiln', true), maxAttempts: 3 }, timeoutS: undefined, primeHistory: [],
      openStores: openBuildStores, writeIndex: async (allDir) => { await writeRepositoryIndex(allDir, a.logdir); },
    });
    return result.result;
  } finally {
    for (const e of executors) await e.close();
  }
}

const arg = process.argv[2];
if (arg !== undefined && process.argv[1]?.endsWith('remote-build-child.js')) {
  process.stdout.write(`${await remoteBuild(JSON.parse(arg) as ChildArgs)}\n`);
}
