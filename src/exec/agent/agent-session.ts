// The agent: one long-lived session per coordinator connection, speaking
// frames on stdin/stdout. It checks every message, keeps the file cache,
// runs jobs, and ends everything it started when the coordinator goes away:
// stdin closed (ssh gone), no word for `idleTimeoutS` (link cut), `bye`, or
// a signal.

import { chmod, mkdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { LOAD_EVERY_S, measureLoad } from '../host-load.js';
import { BlobStore } from './blob-store.js';
import { FrameReader, FrameWriter, type Frame } from './frames.js';
import { hostFacts } from './host-facts.js';
import { checkKit } from './kit-check.js';
import type { HostWork } from './host-work.js';
import { checkJobSpec, hashesOf } from './job-dir.js';
import { keepAgentFile } from './agent-cache.js';
import { endLeftovers, writeRecord } from './leftovers.js';
import { recordOf } from './proc-identity.js';
import { PROTOCOL, downShape, type Down } from './protocol.js';
import { RemoteJob } from './remote-job.js';
import { RemoteScan, checkScanSpec } from './remote-scan.js';
import { RunnerPool } from './runner-pool.js';
import { runStartupScript } from './startup-script.js';
import { TreeStore } from './tree-store.js';
import { PkgsrcScanners } from './pkgsrc-scanners.js';

export interface AgentConfig {
  /** The agent's directory on the host (cache, jobs, pid files). */
  readonly root: string;
  /** This agent's own bundle file, for starting job runners. */
  readonly agentFile: string;
}

const IDLE_BEFORE_HELLO_S = 30;

/** Makes `dir` empty: one trip when it is not there (a job's or a scan's is new, but an old agent may have left one). */
async function freshDir(dir: string): Promise<void> {
  const made = await mkdir(dir, { mode: 0o711 }).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
    return false;
  });
  if (made) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o711 });
}

export function startAgent(config: AgentConfig): void {
  // Our own non-blocking socket on fd 1: process.stdout blocks on pipes, and a
  // blocked write would stop the idle watchdog when the link is cut.
  const writer = new FrameWriter(new Socket({ fd: 1, readable: false, writable: true }));
  const stopKeeping = keepAgentFile(config.agentFile);
  const store = new BlobStore(config.root);
  const runners = new RunnerPool(config.agentFile, config.root);
  const trees = new TreeStore(config.root, store);
  const scanners = new PkgsrcScanners(config.root, store, trees);
  /** Jobs and scans, by the coordinator's id. */
  const jobs = new Map<number, HostWork>();
  const requested = new Set<string>();
  /** What waits for a file to arrive (a STARTUP script, a kit to check), by its hash. */
  const awaiting = new Map<string, Array<{ readonly have: () => void; readonly lack: (reason: string) => void }>>();
  let owner: string | undefined;
  let idleTimeoutS = IDLE_BEFORE_HELLO_S;
  let lastInput = Date.now();
  let ending = false;

  const shutdown = async (reason: string, code: number): Promise<void> => {
    if (ending) return;
    ending = true;
    process.stderr.write(`kiln agent ${process.pid}: ${reason}; ending ${jobs.size} job(s)\n`);
    runners.close();
    stopKeeping();
    await Promise.all([...jobs.values()].map((j) => j.terminate()));
    await scanners.close();
    const mine = owner === undefined ? undefined : join(config.root, 'agents', `${owner}.json`);
    if (mine) await rm(mine, { force: true }).catch(() => undefined);
    writer.end();
    process.exit(code);
  };
  const sendLoad = (): void => {
    if (ending) return;
    const load = measureLoad(config.root);
    void writer.send({
      t: 'load', loadPerCore: Math.min(1e6, load.loadPerCore), swapUsed: load.swapUsed, memoryFreeMiB: Math.min(1e12, load.memoryFreeMiB),
      cpuPressure: load.cpuPressure ?? null, ioPressure: load.ioPressure ?? null, memoryPressure: load.memoryPressure ?? null,
      diskFreeMiB: load.diskFreeMiB === undefined ? null : Math.min(1e12, load.diskFreeMiB),
    });
  };
  const fault = (reason: string): void => {
    void writer.send({ t: 'fault', reason }).then(() => shutdown(`fault: ${reason}`, 3));
  };

  /** Asks the coordinator for the files of `missing` not asked for or arriving already. */
  const ask = async (missing: readonly string[]): Promise<void> => {
    const asking = missing.filter((h) => !requested.has(h) && !store.receiving(h));
    for (const h of asking) requested.add(h);
    if (asking.length > 0) await writer.send({ t: 'need', hashes: asking });
  };
  /** The files of `hashes` not in the cache, asked for. */
  const need = async (hashes: readonly string[]): Promise<string[]> => {
    const missing: string[] = [];
    for (const h of hashes) if (!(await store.has(h))) missing.push(h);
    await ask(missing);
    return missing;
  };

  /** Runs `have` once the file is in the cache (not awaited: pings go on), `lack` if it cannot come. */
  const withFile = async (hash: string, have: () => Promise<void>, lack: (reason: string) => Promise<void>): Promise<void> => {
    const run = { have: () => void have(), lack: (reason: string) => void lack(reason) };
    if ((await need([hash])).length === 0) run.have();
    else awaiting.set(hash, [...(awaiting.get(hash) ?? []), run]);
  };
  const startup = (hash: string, timeoutS: number): Promise<void> => withFile(hash, async () => {
    const r = await runStartupScript(store.path(hash), config.root, timeoutS);
    await writer.send({ t: 'startup-done', ok: r.ok, detail: r.detail.slice(-16_000) });
  }, (reason) => writer.send({ t: 'startup-done', ok: false, detail: reason }));
  /** Brings every file of `hashes` into the cache; rejects when one cannot come. */
  const fetchAll = async (hashes: readonly string[]): Promise<void> => {
    const waits: Array<Promise<void>> = [];
    const waiting: string[] = [];
    for (const hash of new Set(hashes)) {
      if (await store.has(hash)) continue;
      waiting.push(hash);
      waits.push(new Promise((have, lack) => awaiting.set(hash, [...(awaiting.get(hash) ?? []), { have, lack: (reason) => lack(new Error(reason)) }])));
    }
    await ask(waiting);
    // A file that arrived between the first look and the wait (asked for by another job) is had already.
    for (const hash of waiting) if (awaiting.has(hash) && await store.has(hash)) fileArrived(hash);
    await Promise.all(waits);
  };
  const tree = (hash: string): Promise<void> => withFile(hash, async () => {
    const problem = await trees.prepare(hash, fetchAll);
    await writer.send({ t: 'tree-ready', ok: problem === undefined, detail: problem ?? 'ready' });
  }, (reason) => writer.send({ t: 'tree-ready', ok: false, detail: reason }));
  const kitCheck = (hash: string, prefix: string, make: string): Promise<void> => withFile(hash, async () => {
    const r = await checkKit(store.path(hash), prefix, make, config.root);
    await writer.send({ t: 'kit-checked', ok: r.ok, detail: r.detail.slice(-16_000) });
  }, (reason) => writer.send({ t: 'kit-checked', ok: false, detail: reason }));

  const fileArrived = (hash: string): void => {
    requested.delete(hash);
    for (const job of jobs.values()) job.arrived(hash);
    const waiting = awaiting.get(hash) ?? [];
    awaiting.delete(hash);
    for (const w of waiting) w.have();
  };
  const fileUnavailable = (hash: string, reason: string): void => {
    requested.delete(hash);
    for (const job of jobs.values()) job.unavailable(hash, reason);
    const waiting = awaiting.get(hash) ?? [];
    awaiting.delete(hash);
    for (const w of waiting) w.lack(reason);
  };

  const handle = async (m: Down, body: Buffer): Promise<void> => {
    switch (m.t) {
      case 'hello': {
        if (m.protocol !== PROTOCOL) return fault(`protocol ${m.protocol} asked, this agent speaks ${PROTOCOL}`);
        owner = m.owner;
        idleTimeoutS = m.idleTimeoutS;
        await mkdir(join(config.root, 'agents'), { recursive: true, mode: 0o700 });
        // Searchable, not readable: the build user (nobody, when the agent runs as root) reaches its job's scratch directory through it.
        await mkdir(join(config.root, 'jobs'), { recursive: true, mode: 0o711 });
        await chmod(join(config.root, 'jobs'), 0o711); // made 0700 by agents before protocol 5
        await mkdir(join(config.root, 'scans'), { recursive: true, mode: 0o711 }); // as jobs/: scans run as the build user too
        await chmod(join(config.root, 'scans'), 0o711);
        const ended = await endLeftovers(config.root, m.owner);
        runners.warm();
        const facts = await hostFacts(config.root, ended);
        sendLoad(); // before the facts: the coordinator has it when the host comes up, before any job
        await writer.send({ t: 'facts', facts });
        setInterval(sendLoad, LOAD_EVERY_S * 1000).unref();
        return;
      }
      case 'ping':
        await writer.send({ t: 'pong', seq: m.seq });
        return;
      case 'blob': {
        const r = await store.receive(m.hash, body, m.end);
        if (r === 'stored') fileArrived(m.hash);
        else if (r === 'damaged') fileUnavailable(m.hash, `file ${m.hash.slice(0, 12)} arrived damaged (changed while it was sent?)`);
        return;
      }
      case 'blob-missing':
        await store.discard(m.hash);
        fileUnavailable(m.hash, m.reason);
        return;
      case 'startup':
        return startup(m.hash, m.timeoutS);
      case 'kit-check':
        return kitCheck(m.hash, m.prefix, m.make);
      case 'tree':
        return tree(m.hash);
      case 'job': {
        if (owner === undefined) return fault('a job before hello');
        if (jobs.has(m.id)) return fault(`job ${m.id} given twice`);
        const problem = checkJobSpec(m.job);
        const dir = join(config.root, 'jobs', `${owner}-${m.id}`);
        if (problem) {
          await writer.send({ t: 'done', id: m.id, outcome: { kind: 'infrastructure', reason: `the agent refused the job: ${problem}` }, package: null, memoryMiB: null, diskMiB: null });
          return;
        }
        await freshDir(dir);
        await writeRecord(join(dir, 'agent.json'), recordOf(process.pid));
        const missing = await need(hashesOf(m.job));
        const job = new RemoteJob(m.id, dir, m.job, missing, { writer, store, runners, trees });
        jobs.set(m.id, job);
        void job.ended.then(() => jobs.delete(m.id));
        job.kick();
        return;
      }
      case 'scan': {
        if (owner === undefined) return fault('a scan before hello');
        if (jobs.has(m.id)) return fault(`job ${m.id} given twice`);
        const problem = checkScanSpec(m.scan);
        if (problem) {
          await writer.send({ t: 'scanned', id: m.id, result: { kind: 'error', error: `the agent refused the scan: ${problem}`, seconds: 0 } });
          return;
        }
        const dir = join(config.root, 'scans', `${owner}-${m.id}`);
        await rm(dir, { recursive: true, force: true });
        const missing = await need(m.scan.kind === 'portfile' ? m.scan.files.flatMap((f) => (f.kind === 'file' ? [f.hash] : [])) : [m.scan.kit.hash]);
        const scan = new RemoteScan(m.id, dir, m.scan, missing, writer, store, scanners);
        jobs.set(m.id, scan);
        void scan.ended.then(() => jobs.delete(m.id));
        scan.kick();
        return;
      }
      case 'cancel':
        jobs.get(m.id)?.cancel();
        return;
      case 'bye':
        return shutdown('the coordinator said bye', 0);
    }
  };

  // Frames are handled one after another, in order.
  let queue: Promise<void> = Promise.resolve();
  const reader = new FrameReader((frame: Frame) => {
    lastInput = Date.now();
    const checked = downShape(frame.header, 'message');
    if (!checked.ok) return fault(`bad message: ${checked.reason}`);
    queue = queue.then(() => handle(checked.value, frame.body)).catch((err: unknown) => fault(`internal error: ${(err as Error).stack ?? String(err)}`));
  }, (message) => fault(`bad frame: ${message}`));

  process.stdin.on('data', (b: Buffer) => { lastInput = Date.now(); reader.push(b); });
  process.stdin.on('end', () => void shutdown('the connection closed', 0));
  process.stdin.on('error', () => void shutdown('the connection failed', 0));
  for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(s, () => void shutdown(`got ${s}`, 0));
  process.on('uncaughtException', (err) => void shutdown(`internal error: ${err.stack ?? String(err)}`, 70));
  setInterval(() => {
    if (Date.now() - lastInput > idleTimeoutS * 1000) void shutdown(`no word from the coordinator for ${idleTimeoutS} s`, 0);
  }, 500).unref();
  process.stdin.resume();
  void store.init().then(() => writer.send({ t: 'ready', protocol: PROTOCOL }), (err: unknown) => fault(`cannot use ${config.root}: ${String(err)}`));
}
