// How many terminal columns text takes: East Asian wide and fullwidth
// characters and emoji take two, combining marks and other zero-width
// characters none, the rest one (what wcwidth(3) answers on a current
// system). Port metadata can hold any of them; the terminal view pads and
// cuts by columns, so a line never wraps and the redraw stays in place.

/** East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth W and F), besides emoji. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f],
  [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x17000, 0x18aff], [0x1b000, 0x1b2ff], [0x1f200, 0x1f265],
  [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

const EMOJI = /^\p{Emoji_Presentation}$/u;
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff]$/u;

function isWide(code: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = WIDE[mid]!;
    if (code < from) hi = mid - 1;
    else if (code > to) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one character (a code point) takes: 0, 1 or 2. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x7f) return code < 0x20 ? 0 : 1;
  if (code === 0xad) return 1; // soft hyphen: a format character terminals show
  if (ZERO.test(char)) return 0;
  return isWide(code) || EMOJI.test(char) ? 2 : 1;
}

/** Columns a string takes, without escape sequences. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** `text` padded with spaces on the right to `columns` columns. */
export function padEndCols(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}

/** `text` padded with spaces on the left to `columns` columns. */
export function padStartCols(text: string, columns: number): string {
  return ' '.repeat(Math.max(0, columns - displayWidth(text))) + text;
}
