// dpb's hosts file: one host a line, `name key=value ...`, plus `DEFAULT`
// lines (properties for the hosts that follow) and `KEY=value` settings.
//
//   # comment
//   localhost jobs=2
//   DEFAULT sf=2
//   builder@10.0.0.2 jobs=8 arch=x86_64 sf=3 timeout=30 cores=8 mem=16G dir=/var/tmp/kiln
//   big@10.0.0.3 jobs=2 features=big-parallel,kvm mandatory=big-parallel
//   DEFAULT distcc=10.0.0.7,10.0.0.8:3633/8  (distccd servers: distcc-farm.ts)
//   STARTUP=/path/to/script
//   slurm:batch nodes=4 jobs=8 time=240      (src/exec/slurm/slurm-line.ts)
//
// The parser never throws: every problem becomes an error naming the file,
// the line and what is wrong, and all of a file's problems are reported at once.

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { HostSpec } from '../core/model.js';
import type { PressureLimits } from '../core/model.js';
import { parseSize } from '../core/formats/size.js';
import { parseFeatureList } from '../core/engine/host-features.js';
import type { DistccServer } from '../job/build-job.js';
import { parseDistccServers } from './distcc-farm.js';
import type { HostInfo } from './executor.js';
import { parseSlurmLine, SLURM_PREFIX, slurmHostName, type SlurmPart } from './slurm/slurm-line.js';

export interface HostEntry {
  /** The host as written: `localhost`, `builder@10.0.0.2`, an ssh_config alias. */
  readonly name: string;
  /** `localhost` builds without ssh. */
  readonly local: boolean;
  /** Slots; when not given, the host's cores once it is connected. */
  readonly jobs?: number;
  /** dpb's `sf`: bigger is faster. */
  readonly speed: number;
  /** The host must report this architecture (`uname -m`), or it is refused. */
  readonly arch?: string;
  /** ssh's ConnectTimeout, seconds. */
  readonly connectTimeoutS?: number;
  /** Cores shared as make jobs; when not given, what the host reports. */
  readonly cores?: number;
  /** Memory budget in MiB; when not given, what the host reports. */
  readonly memoryMiB?: number;
  /** `dir=`: the agent's directory on the host, absolute or relative to the login user's home. */
  readonly dir?: string;
  /** `features=`: what the host offers to ports that require it (HOST_FEATURES). */
  readonly features?: readonly string[];
  /** `mandatory=`: the host takes only jobs that require all of these (offered too). */
  readonly mandatory?: readonly string[];
  /** `max-load=`, `max-psi=`, `min-disk=`: over one, the host takes no new job. */
  readonly pressure?: PressureLimits;
  /** `distcc=`: the distccd servers its builds that opt in (USE_DISTCC=yes) compile on. */
  readonly distcc?: readonly DistccServer[];
  /** The line the host is on, for messages. */
  readonly line: number;
  /** A host that is a Slurm allocation (a `slurm:` line), not an ssh destination. */
  readonly slurm?: SlurmPart;
}

export interface HostsFile {
  readonly hosts: readonly HostEntry[];
  /** `STARTUP=`: a script on the coordinator, run on each host before it takes jobs. */
  readonly startup?: string;
}

export interface HostsFileError {
  readonly file: string;
  /** 1-based; 0 when the file as a whole is at fault (cannot be read). */
  readonly line: number;
  readonly message: string;
}

export type HostsFileResult =
  | { readonly ok: true; readonly hostsFile: HostsFile }
  | { readonly ok: false; readonly errors: readonly HostsFileError[] };

export function formatHostsFileError(error: HostsFileError): string {
  return error.line > 0 ? `${error.file}:${error.line}: ${error.message}` : `${error.file}: ${error.message}`;
}

export async function readHostsFile(path: string): Promise<HostsFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [{ file: path, line: 0, message: `cannot read: ${(err as Error).message}` }] };
  }
  return parseHostsFile(text, path);
}

/** What the engine sees of a host, once the host has told us what it has. */
export function toHostSpec(entry: HostEntry, info: HostInfo): HostSpec {
  const cores = entry.cores ?? Math.max(1, info.cores);
  const memoryMiB = entry.memoryMiB ?? (info.memoryMiB > 0 ? info.memoryMiB : undefined);
  return {
    name: entry.name,
    slots: entry.jobs ?? cores,
    speed: entry.speed,
    cores,
    ...(memoryMiB === undefined ? {} : { memoryMiB }),
    ...scheduling(entry),
  };
}

/** What a host's line says of which jobs it takes and when: its features, mandatory features and pressure thresholds, as HostSpec takes them. */
export function scheduling(entry: HostEntry): Pick<HostSpec, 'features' | 'mandatory' | 'pressure'> {
  return {
    ...(entry.features !== undefined && { features: entry.features }), ...(entry.mandatory !== undefined && { mandatory: entry.mandatory }),
    ...(entry.pressure !== undefined && { pressure: entry.pressure }),
  };
}

type Properties = {
  jobs?: number; speed?: number; arch?: string; connectTimeoutS?: number; cores?: number; memoryMiB?: number; dir?: string;
  features?: readonly string[]; mandatory?: readonly string[]; maxLoad?: number; maxPsi?: number; minDiskMiB?: number;
  distcc?: readonly DistccServer[];
};
type PropertyKey = 'jobs' | 'sf' | 'arch' | 'timeout' | 'cores' | 'mem' | 'dir' | 'features' | 'mandatory' | 'max-load' | 'max-psi' | 'min-disk' | 'distcc';
const PROPERTY_KEYS: readonly PropertyKey[] = [
  'jobs', 'sf', 'arch', 'timeout', 'cores', 'mem', 'dir', 'features', 'mandatory', 'max-load', 'max-psi', 'min-disk', 'distcc',
];
const SETTINGS = ['STARTUP'] as const;

/** Parses the text of a hosts file; `file` names it in errors and anchors relative paths. */
export function parseHostsFile(text: string, file: string): HostsFileResult {
  const errors: HostsFileError[] = [];
  const hosts: HostEntry[] = [];
  const seen = new Map<string, number>();
  let defaults: Properties = {};
  let startup: { path: string; line: number } | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fail = (message: string): void => { errors.push({ file, line, message }); };
    const content = stripComment(raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
    if (content === '') return;
    const bad = firstControlCharacter(content);
    if (bad !== undefined) return fail(`unexpected control character U+${bad.toString(16).toUpperCase().padStart(4, '0')}`);
    const setting = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(content);
    if (setting) {
      const [, key = '', value = ''] = setting;
      if (!(SETTINGS as readonly string[]).includes(key)) {
        return fail(`unknown setting ${show(key)} (known: ${SETTINGS.join(', ')})`);
      }
      const path = value.trim();
      if (path === '') return fail('STARTUP needs the path of a script: STARTUP=/path/to/script');
      if (startup) return fail(`STARTUP is already set on line ${startup.line}`);
      startup = { path: isAbsolute(path) ? path : resolve(dirname(file), path), line };
      return;
    }
    const [name = '', ...given] = content.split(/[ \t]+/);
    const slurm = name.startsWith(SLURM_PREFIX) ? parseSlurmLine(name, given) : undefined;
    if (slurm !== undefined && !slurm.ok) {
      slurm.problems.forEach(fail);
      return;
    }
    const tokens = slurm?.rest ?? given;
    const props = parseProperties(tokens, fail);
    if (props === undefined) return;
    if (name === 'DEFAULT') {
      defaults = { ...defaults, ...props };
      return;
    }
    if (slurm !== undefined) {
      for (let index = 1; index <= slurm.nodes; index++) {
        const host = slurmHostName(slurm.partition, index);
        if (seen.has(host)) return fail(`host ${show(host)} (${show(name)}) is already listed on line ${seen.get(host)!}`);
        seen.set(host, line);
        const merged = { ...defaults, ...props };
        hosts.push({ name: host, local: false, line, speed: merged.speed ?? 1, ...definedOnly(merged), slurm: { partition: slurm.partition, index, ...slurm.own } });
      }
      return;
    }
    const nameProblem = checkHostName(name);
    if (nameProblem) return fail(nameProblem);
    const earlier = seen.get(name);
    if (earlier !== undefined) return fail(`host ${show(name)} is already listed on line ${earlier}`);
    seen.set(name, line);
    const merged = { ...defaults, ...props };
    hosts.push({ name, local: name === 'localhost', line, speed: merged.speed ?? 1, ...definedOnly(merged) });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, hostsFile: { hosts, ...(startup ? { startup: startup.path } : {}) } };
}

function definedOnly(p: Properties): Omit<Properties, 'speed' | 'maxLoad' | 'maxPsi' | 'minDiskMiB'> & { pressure?: PressureLimits } {
  const out: { -readonly [K in keyof Properties]?: Properties[K] } & { pressure?: PressureLimits } = {};
  if (p.jobs !== undefined) out.jobs = p.jobs;
  if (p.arch !== undefined) out.arch = p.arch;
  if (p.connectTimeoutS !== undefined) out.connectTimeoutS = p.connectTimeoutS;
  if (p.cores !== undefined) out.cores = p.cores;
  if (p.memoryMiB !== undefined) out.memoryMiB = p.memoryMiB;
  if (p.dir !== undefined) out.dir = p.dir;
  if (p.features !== undefined) out.features = p.features;
  if (p.mandatory !== undefined) out.mandatory = p.mandatory;
  if (p.distcc !== undefined) out.distcc = p.distcc;
  const pressure: { -readonly [K in keyof PressureLimits]: PressureLimits[K] } = {};
  if (p.maxLoad !== undefined) pressure.maxLoad = p.maxLoad;
  if (p.maxPsi !== undefined) pressure.maxPsi = p.maxPsi;
  if (p.minDiskMiB !== undefined) pressure.minDiskMiB = p.minDiskMiB;
  if (Object.keys(pressure).length > 0) out.pressure = pressure;
  return out;
}

function parseProperties(tokens: readonly string[], fail: (message: string) => void): Properties | undefined {
  const props: Properties = {};
  const given = new Set<string>();
  let ok = true;
  const problem = (message: string): void => { ok = false; fail(message); };
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq <= 0) {
      problem(`expected key=value, got ${show(token)}`);
      continue;
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!(PROPERTY_KEYS as readonly string[]).includes(key)) {
      problem(`unknown property ${show(key)} (known: ${PROPERTY_KEYS.join(', ')})`);
      continue;
    }
    if (given.has(key)) {
      problem(`property ${key} is given twice`);
      continue;
    }
    given.add(key);
    const result = parseValue(key as PropertyKey, value);
    if (typeof result === 'string') problem(result);
    else Object.assign(props, result);
  }
  return ok ? props : undefined;
}

function parseValue(key: PropertyKey, value: string): Properties | string {
  switch (key) {
    case 'jobs': {
      const n = integer(value, 1, 1024);
      return n === undefined ? `jobs must be a whole number from 1 to 1024, not ${show(value)}` : { jobs: n };
    }
    case 'cores': {
      const n = integer(value, 1, 4096);
      return n === undefined ? `cores must be a whole number from 1 to 4096, not ${show(value)}` : { cores: n };
    }
    case 'timeout': {
      const n = integer(value, 1, 3600);
      return n === undefined ? `timeout must be whole seconds from 1 to 3600, not ${show(value)}` : { connectTimeoutS: n };
    }
    case 'sf': {
      const n = /^(\d{1,6}(\.\d{1,6})?|\.\d{1,6})$/.test(value) ? Number(value) : NaN;
      return n > 0 && n <= 1000 ? { speed: n } : `sf must be a number above 0 and at most 1000, not ${show(value)}`;
    }
    case 'arch':
      return /^[A-Za-z0-9_]{1,32}$/.test(value) ? { arch: value } : `arch must be a name like x86_64 or amd64, not ${show(value)}`;
    case 'mem': {
      const mib = sizeMiB(value);
      return mib === undefined ? `mem must be a size with a unit (K, M, G or T), like mem=16G, not ${show(value)}` : { memoryMiB: mib };
    }
    case 'features':
    case 'mandatory': {
      const list = parseFeatureList(value);
      return 'problem' in list ? `${key} wants feature names separated by commas, like ${key}=big-parallel,kvm: ${list.problem}` : { [key]: list };
    }
    case 'max-load': {
      const n = decimal(value);
      return n !== undefined && n > 0 ? { maxLoad: n } : `max-load must be a load average per core above 0, like max-load=2.5, not ${show(value)}`;
    }
    case 'max-psi': {
      const n = decimal(value);
      return n !== undefined && n <= 100 ? { maxPsi: n } : `max-psi must be a percentage from 0 to 100 (CPU or IO pressure, /proc/pressure's avg10), like max-psi=60, not ${show(value)}`;
    }
    case 'min-disk': {
      const mib = sizeMiB(value);
      return mib === undefined ? `min-disk must be a size with a unit (K, M, G or T), like min-disk=10G, not ${show(value)}` : { minDiskMiB: mib };
    }
    case 'distcc': {
      const servers = parseDistccServers(value);
      return 'problem' in servers ? `distcc wants distccd servers separated by commas, like distcc=10.0.0.7,10.0.0.8:3632/8 (host[:port][/limit]): ${servers.problem}` : { distcc: servers };
    }
    case 'dir':
      return /^\/?[A-Za-z0-9._+-]+(\/[A-Za-z0-9._+-]+)*$/.test(value) && value.length <= 1024 && !value.split('/').includes('..')
        ? { dir: value }
        : `dir must be a directory path (absolute, or relative to the login user's home) of letters, digits, '.', '_', '+', '-', like dir=/var/tmp/kiln, not ${show(value)}`;
  }
}

/** A plain decimal number (`2`, `2.5`), or undefined. */
function decimal(value: string): number | undefined {
  return /^\d{1,6}(\.\d{1,6})?$/.test(value) ? Number(value) : undefined;
}

function integer(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,7}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}


function sizeMiB(value: string): number | undefined {
  const bytes = parseSize(value, 'needs-unit');
  const mib = bytes === undefined ? 0 : Math.floor(bytes / 2 ** 20);
  return mib >= 1 ? mib : undefined;
}

/** Why a host name cannot be used, or undefined. Names become ssh destinations. */
function checkHostName(name: string): string | undefined {
  if (name.includes('=')) return `expected a host name first, got ${show(name)}`;
  const at = name.lastIndexOf('@');
  const user = at >= 0 ? name.slice(0, at) : undefined;
  const host = at >= 0 ? name.slice(at + 1) : name;
  if (user !== undefined && !/^[A-Za-z_][A-Za-z0-9._-]{0,31}$/.test(user)) {
    return `bad user name ${show(user)} in ${show(name)}`;
  }
  const dns = /^[A-Za-z0-9_]([A-Za-z0-9._-]{0,252})$/.test(host);
  const ipv6 = /^[0-9A-Fa-f:.]{2,45}$/.test(host) && host.includes(':');
  if (!dns && !ipv6) return `bad host name ${show(host)}: letters, digits, '.', '-', '_' (or an IPv6 address), not starting with '-'`;
  return undefined;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash >= 0 ? line.slice(0, hash) : line;
}

function firstControlCharacter(s: string): number | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return c;
  }
  return undefined;
}

/** A token for a message: quoted, control characters escaped, long ones cut. */
function show(token: string): string {
  const cut = token.length > 40 ? `${token.slice(0, 40)}…` : token;
  return JSON.stringify(cut);
}
