// How the page writes durations, times and sizes.

export function isEmpty(v: unknown): v is undefined | null | '' { return v === undefined || v === null || v === ''; }

function pad2(n: number): string { return `${n < 10 ? '0' : ''}${n}`; }

export function fmtDur(s: number | null | undefined): string {
  if (isEmpty(s)) return '';
  s = Math.max(0, Math.round(s));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad2(Math.floor((s % 86400) / 3600))}h`;
}

export function fmtTime(t: number | null | undefined): string {
  if (isEmpty(t)) return '';
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** hh:mm, or hh:mm:ss when the labels are less than a minute apart (else a short window repeats one minute). */
export function fmtClock(t: number, seconds: boolean): string {
  const d = new Date(t * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}${seconds ? `:${pad2(d.getSeconds())}` : ''}`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (isEmpty(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024; let i = 0;
  while (v >= 1024 && i < units.length - 1) { v = v / 1024; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}
