// `+BUILD_INFO`: `KEY=VALUE` lines about how and where a package was built,
// sorted as pkgsrc sorts them. Keys such as REQUIRES may repeat.

import { oneLine } from '../formats/one-line.js';

export type BuildInfo = ReadonlyMap<string, readonly string[]>;

/** The sorted text of `+BUILD_INFO`; line breaks inside values become spaces. */
export function formatBuildInfo(entries: readonly (readonly [string, string])[]): string {
  const lines = entries.map(([key, value]) => `${key}=${oneLine(value)}`);
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.map((line) => `${line}\n`).join('');
}

export function parseBuildInfo(text: string): BuildInfo {
  const info = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals);
    const values = info.get(key) ?? [];
    values.push(line.slice(equals + 1));
    info.set(key, values);
  }
  return info;
}

/** The lines of `+BUILD_INFO` whose key is in `keys`, in file order (pkg_info's var_copy_list). */
export function buildInfoLines(text: string, keys: ReadonlySet<string>): string[] {
  return text.split('\n').filter((line) => {
    const equals = line.indexOf('=');
    return equals > 0 && keys.has(line.slice(0, equals));
  });
}
