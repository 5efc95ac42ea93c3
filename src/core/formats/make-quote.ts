// Values in a pbulk index are written the way pkgsrc quotes them: make's :Q
// (every shell-special character after a backslash) or a list of quoted
// strings (`"reason one" "reason two"`). These turn them into sentences
// for people, and back.

interface Word {
  readonly text: string;
  /** It began with a quote: one reason of a list of quoted reasons. */
  readonly quoted: boolean;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n';

/** Splits a value into shell words, removing quotes and backslashes as sh does. */
export function shellWords(value: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && isSpace(value[i]!)) i++;
    if (i >= value.length) break;
    const quoted = value[i] === '"' || value[i] === "'";
    let text = '';
    while (i < value.length && !isSpace(value[i]!)) {
      const c = value[i]!;
      if (c === '\\') {
        text += value[i + 1] ?? '\\';
        i += 2;
      } else if (c === "'") {
        const end = value.indexOf("'", i + 1);
        const stop = end < 0 ? value.length : end;
        text += value.slice(i + 1, stop);
        i = stop + 1;
      } else if (c === '"') {
        i++;
        while (i < value.length && value[i] !== '"') {
          if (value[i] === '\\' && '$`"\\\n'.includes(value[i + 1] ?? '')) i++;
          text += value[i];
          i++;
        }
        i++;
      } else {
        text += c;
        i++;
      }
    }
    words.push({ text, quoted });
  }
  return words;
}

/**
 * A reason as a sentence: `"a" "b"` gives "a; b", `"broken:" "why"` gives
 * "broken: why", `Couldn\'t\ find` gives "Couldn't find".
 */
export function unquoteReason(value: string): string {
  let out = '';
  let previous: Word | undefined;
  for (const word of shellWords(value)) {
    if (word.text === '') continue;
    if (previous !== undefined) {
      const list = previous.quoted && word.quoted && !/[:.,;]$/.test(previous.text);
      out += list ? '; ' : ' ';
    }
    out += word.text;
    previous = word;
  }
  return out;
}

/** Quotes a sentence as one double-quoted shell word, as pkgsrc writes reasons. */
export function quoteReason(text: string): string {
  return `"${text.replace(/[\\"$`]/g, '\\$&')}"`;
}
