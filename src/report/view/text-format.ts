// Small formatters the text views share: durations, sizes, times, and
// making port metadata safe to print (it is attacker-controlled: a pkgname
// may hold terminal escape sequences or newlines).

/**
 * Control characters (C0, DEL, C1) and bidirectional controls replaced by
 * `?`, so a value stays on its line, cannot drive the terminal, and cannot
 * reorder what is shown around it.
 */
export function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** `45s`, `12m05s`, `3h07m`, `2d04h`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad2(Math.floor((s % 86400) / 3600))}h`;
}

/** `2026-11-18T10:53:22Z`: engine.log's timestamps, in UTC so they sort and compare across hosts. */
export function isoTime(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-11-18 10:53` in local time, as pbulk's report prints it. */
export function localMinute(epochS: number): string {
  const d = new Date(epochS * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** `10:53:22` in local time. */
export function clockTime(epochS: number): string {
  const d = new Date(epochS * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A value for a `key=value` log line: bare when it is one plain word, else JSON-quoted. */
export function logValue(value: string): string {
  return /^[\x21-\x7e]+$/.test(value) && !/["\\=]/.test(value) ? value : JSON.stringify(value);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

