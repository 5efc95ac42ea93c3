// The files a job needs on its host besides its port, by content hash: the
// dependency packages and a Portfile job's distfiles. Each is offered to
// the blob sender, which sends it when the agent asks (once per host).

import type { BuildJob } from '../../job/build-job.js';
import type { JobSpec, PortEntry } from '../agent/protocol.js';
import type { FileHasher } from './file-hasher.js';

export async function jobBlobs(job: BuildJob, hasher: FileHasher, offer: (hash: string, file: string) => void): Promise<
  | { readonly ok: true; readonly dependencies: JobSpec['dependencies']; readonly distfiles: PortEntry[] }
  | { readonly ok: false; readonly reason: string }> {
  const dependencies: Array<JobSpec['dependencies'][number]> = [];
  for (const dep of job.dependencies) {
    try {
      const { hash, size } = await hasher.hash(dep.file);
      offer(hash, dep.file);
      dependencies.push({ pkgname: dep.pkgname, hash, size });
    } catch (err) {
      return { ok: false, reason: `dependency package ${dep.pkgname} cannot be read on the coordinator: ${(err as Error).message}` };
    }
  }
  const distfiles: PortEntry[] = [];
  for (const { name, file } of job.distfiles ?? []) {
    try {
      const { hash, size } = await hasher.hash(file);
      offer(hash, file);
      distfiles.push({ kind: 'file', path: name, hash, size, mode: 0o644 });
    } catch (err) {
      return { ok: false, reason: `distfile ${name} cannot be read on the coordinator: ${(err as Error).message}` };
    }
  }
  return { ok: true, dependencies, distfiles };
}
