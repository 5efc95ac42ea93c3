// Text from outside kiln (a port's names and metadata, an input's lines, a
// directory's bytes) shown as one line in which every character can be seen:
// the control characters (C0, DEL, C1) and the bidi controls as `\xHH` or
// `\uHHHH`, so what is echoed back cannot drive a terminal or break a line of
// the index, and the user sees which character it was.

const UNSEEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Of raw bytes (a name that need not be UTF-8), all but printable ASCII, and the backslash so the escape reads back as one. */
const NOT_ASCII = /[^\u0020-\u005b\u005d-\u007e]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

export interface EscapeOptions {
  /** A line break, tab or carriage return as `\n`, `\t`, `\r` (the index's reasons read them back so). */
  readonly short?: boolean;
}

/** `text` with what cannot be seen escaped; raw bytes show each byte that is not printable ASCII as `\xHH`. */
export function escapeControls(text: string | Uint8Array, options: EscapeOptions = {}): string {
  const raw = typeof text !== 'string';
  const chars = raw ? Array.from(text, (b) => String.fromCharCode(b)).join('') : text;
  return chars.replace(raw ? NOT_ASCII : UNSEEN, (c) => {
    if (options.short === true && SHORT[c] !== undefined) return SHORT[c];
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
