// Sizes as people write and read them: `512K`, `256M`, `1.5GiB`, `2T` (K, M,
// G, T are powers of 1024; `iB` or `B` may follow, in any case), and `812 B`,
// `1.5 KiB`, `256 MiB` back. `--log-cap`, the hosts file's `mem=` and the
// views' log sizes all go through here.

const SCALE: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
const UNITS = [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const;

/**
 * Bytes from a size; `bare` is what a number without a unit counts (bytes
 * unless given), or that it needs one. Undefined for anything else; the
 * caller rounds and bounds it.
 */
export function parseSize(text: string, bare: number | 'needs-unit' = 1): number | undefined {
  const match = /^(\d{1,15}(?:\.\d{1,6})?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const scale = match[2] === '' ? (bare === 'needs-unit' ? undefined : bare) : SCALE[match[2]!.toLowerCase()];
  return scale === undefined ? undefined : Number(match[1]) * scale;
}

/** `812 B`, `12.3 KiB`, `256 MiB`, `1.5 GiB`. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}
