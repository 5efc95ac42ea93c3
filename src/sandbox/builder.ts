// STAND-IN — replaced at merge by the sandbox engineer's real builder, which
// exports the same `buildPackage`. It exists on the `cluster` branch only so
// that the ssh transport and the agent can be tested end to end: it runs no
// sandbox, it
//   depends: checks each dependency package is there, logs its name and size;
//   build:   runs `sh build.sh` from the port directory when there is one
//            (tests use it to make output, take time, or fail), else nothing;
//   package: packs the port directory with tar (sorted, mtime 0, numeric
//            owner, gzip -n), so the same port gives the same bytes.
// Logs: `<logDir>/<phase>.log` per phase, and every phase in `logFile`.

import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhaseTiming } from '../core/model.js';
import type { BuildJob, BuildReport } from './build-job.js';

export interface BuildOptions {
  readonly signal: AbortSignal;
  readonly onPhase?: (phase: string) => void;
  readonly scratch?: string;
}

export async function buildPackage(job: BuildJob, options: BuildOptions): Promise<BuildReport> {
  const port = join(job.tree, job.pkgpath);
  await mkdir(job.logDir, { recursive: true });
  await mkdir(job.packageDir, { recursive: true });
  const scratch = options.scratch ?? join(job.packageDir, `.scratch-${job.pkgname}`);
  await mkdir(scratch, { recursive: true });
  const whole = createWriteStream(job.logFile, { flags: 'a' });
  const phases: PhaseTiming[] = [];
  const deadline = Date.now() + job.timeoutS * 1000;
  try {
    const run = async (phase: string, body: (log: (s: string | Buffer) => void, phaseLog: WriteStream) => Promise<string | undefined>): Promise<string | undefined> => {
      options.onPhase?.(phase);
      const started = performance.now();
      const phaseLog = createWriteStream(join(job.logDir, `${phase}.log`));
      const log = (s: string | Buffer): void => { phaseLog.write(s); whole.write(s); };
      try {
        return await body(log, phaseLog);
      } finally {
        await new Promise((r) => phaseLog.end(r));
        phases.push({ phase, wallS: (performance.now() - started) / 1000, cpuS: 0 });
      }
    };
    const dependsError = await run('depends', async (log) => {
      for (const dep of job.dependencies) {
        try {
          log(`dependency ${dep.pkgname}: ${(await stat(dep.file)).size} bytes\n`);
        } catch {
          log(`dependency ${dep.pkgname}: missing\n`);
          return 'missing dependency';
        }
      }
      return undefined;
    });
    if (dependsError) return { outcome: { kind: 'failed', phase: 'depends', error: dependsError, phases } };
    const buildError = await run('build', async (log) => {
      const script = join(port, 'build.sh');
      if (!(await stat(script).then(() => true, () => false))) return undefined;
      const env = { ...process.env, MAKE_JOBS: String(job.makeJobs), PORTDIR: port, PKGNAME: job.pkgname };
      return runLogged('sh', [script], scratch, env, log, options.signal, deadline);
    });
    if (buildError) {
      if (buildError === 'cancelled') return { outcome: { kind: 'infrastructure', reason: 'cancelled' } };
      return { outcome: { kind: 'failed', phase: 'build', error: buildError, phases } };
    }
    const packageFile = join(job.packageDir, `${job.pkgname}.tgz`);
    const temp = join(job.packageDir, `.${job.pkgname}.tgz.tmp`);
    const packError = await run('package', (log) => runLogged('sh', ['-c',
      'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf - . | gzip -n > "$2"', 'sh', port, temp],
    scratch, process.env, log, options.signal, deadline));
    if (packError) return { outcome: { kind: 'failed', phase: 'package', error: packError, phases } };
    await rename(temp, packageFile);
    return { outcome: { kind: 'built', phases }, packageFile };
  } finally {
    await new Promise((r) => whole.end(r));
  }
}

/** Runs a command, its output into the log; the error class when it fails. */
function runLogged(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv,
  log: (s: Buffer) => void, signal: AbortSignal, deadline: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('cancelled');
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let why: string | undefined;
    const stop = (reason: string): void => { why ??= reason; child.kill('SIGKILL'); };
    const onAbort = (): void => stop('cancelled');
    signal.addEventListener('abort', onAbort);
    const left = deadline - Date.now();
    // setTimeout fires at once past 2^31-1 ms: a longer limit is no limit here.
    const timer = left < 2 ** 31 - 1 ? setTimeout(() => stop('timeout'), Math.max(0, left)) : undefined;
    child.stdout.on('data', log);
    child.stderr.on('data', log);
    child.on('error', () => { why ??= 'could not run'; });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(why ?? (code === 0 ? undefined : `exit ${code ?? 'signal'}`));
    });
  });
}
