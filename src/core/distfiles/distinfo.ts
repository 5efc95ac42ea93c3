// pkgsrc's distinfo file: `$NetBSD$`, a blank line, then for each distfile
// its checksums (`SHA512 (name) = hex`) and its size (`Size (name) = N
// bytes`). Patches are listed by checksum alone (`SHA1 (patch-aa) = ...`);
// they are not distfiles, so a name counts as a distfile only when it has a
// Size line or is asked for by name.

/** The algorithms kiln verifies, named as pkgsrc's distinfo names them. */
export const DIGEST_ALGORITHMS = ['SHA512', 'SHA256', 'SHA1', 'RMD160', 'BLAKE2s'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

export interface Digest {
  readonly algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  readonly hex: string;
}

export interface DistinfoEntry {
  readonly name: string;
  readonly size: number | undefined;
  readonly digests: readonly Digest[];
}

export interface Distinfo {
  readonly entries: ReadonlyMap<string, DistinfoEntry>;
  /** Lines that are neither blank, the $NetBSD$ tag nor a checksum or size: `line N: text`. */
  readonly errors: readonly string[];
}

const LINE = /^([A-Za-z0-9]+) \((.+)\) = (.+)$/;

export function parseDistinfo(text: string): Distinfo {
  const entries = new Map<string, { name: string; size: number | undefined; digests: Digest[] }>();
  const errors: string[] = [];
  const entryOf = (name: string): { name: string; size: number | undefined; digests: Digest[] } => {
    let entry = entries.get(name);
    if (!entry) entries.set(name, (entry = { name, size: undefined, digests: [] }));
    return entry;
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('$NetBSD')) return;
    const match = LINE.exec(line);
    const bad = (why: string): void => void errors.push(`line ${index + 1}: ${why}: ${JSON.stringify(line.slice(0, 120))}`);
    if (!match) return bad('not "ALGORITHM (name) = value"');
    const [, key, name, value] = match as unknown as [string, string, string, string];
    if (key === 'Size') {
      const size = /^(\d+) bytes$/.exec(value);
      if (!size) return bad('a size must read "N bytes"');
      entryOf(name).size = Number(size[1]);
      return;
    }
    const algorithm = DIGEST_ALGORITHMS.find((a) => a === key);
    if (algorithm === undefined) return; // an algorithm kiln cannot compute (MD5 of old trees): not trusted, not an error
    if (!/^[0-9a-fA-F]+$/.test(value)) return bad(`${key} must be hex`);
    entryOf(name).digests.push({ algorithm, hex: value.toLowerCase() });
  });
  return { entries, errors };
}

/**
 * Why `name` cannot be a distfile's name under DISTDIR, or undefined: one
 * or more plain path segments (pkgsrc's DIST_SUBDIR gives `sub/name`), none
 * empty, `.` or `..`, nothing a shell or a line would read specially.
 */
export function distfileNameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.length > 255) return 'the name is longer than 255 characters';
  if (!/^[A-Za-z0-9._+~,=@%-]+(?:\/[A-Za-z0-9._+~,=@%-]+)*$/.test(name)) return 'it holds characters other than letters, digits and ._+~,=@%- between slashes';
  if (name.split('/').some((part) => part === '.' || part === '..' || part.startsWith('-'))) return 'a part of it is ".", ".." or starts with "-"';
  return undefined;
}

/** Suffixes of the distfiles extracted into WRKSRC before build(). */
const ARCHIVES = ['.tar.gz', '.tgz', '.tar.xz', '.tar.bz2', '.tar'];

export function isExtracted(name: string): boolean {
  return ARCHIVES.some((suffix) => name.endsWith(suffix));
}

/**
 * What a port needs to fetch a distfile: its size and checksums, or why it
 * cannot be checked (no distinfo, no line for it, no size or no checksum
 * kiln can compute). Without both, a distfile never enters DISTDIR.
 */
export function checksumsFor(distinfo: Distinfo | undefined, name: string):
  | { readonly ok: true; readonly size: number; readonly digests: readonly Digest[] }
  | { readonly ok: false; readonly reason: string } {
  if (distinfo === undefined) return { ok: false, reason: `the port lists distfile ${name} but has no distinfo file to check it with` };
  const entry = distinfo.entries.get(name);
  if (entry === undefined) return { ok: false, reason: `the distinfo lists no checksum for ${name}` };
  if (entry.digests.length === 0) return { ok: false, reason: `the distinfo lists no checksum kiln can compute for ${name} (${DIGEST_ALGORITHMS.join(', ')})` };
  if (entry.size === undefined) return { ok: false, reason: `the distinfo gives no Size for ${name}` };
  return { ok: true, size: entry.size, digests: entry.digests };
}
