// A package pkgsrc made, given the build-inputs record kiln's own packages
// carry (KILN_INPUTS in +BUILD_INFO, core/build-stamp.ts), so that any run
// over the repository, with any run directory, knows what it was built from.
// pkg_create puts the `+` files first; only the bytes up to the end of
// +BUILD_INFO are rewritten, the rest of the archive follows unchanged.

import { INPUTS_KEY } from './build-stamp.js';
import { BLOCK, decodeHeader, paddingFor } from '../package-format/ustar.js';
import { oneLine } from '../formats/one-line.js';

export type BuildInfoStamp =
  /** The archive's first `consumed` bytes become `head`. */
  | { readonly kind: 'stamped'; readonly head: Uint8Array; readonly consumed: number }
  /** +BUILD_INFO is not complete in these bytes yet: read more. */
  | { readonly kind: 'more' }
  /** It cannot be stamped (no plain +BUILD_INFO among the leading `+` files): why. */
  | { readonly kind: 'unstampable'; readonly reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `tar`: the first bytes of the uncompressed archive. */
export function stampBuildInfo(tar: Uint8Array, inputs: string): BuildInfoStamp {
  let at = 0;
  for (;;) {
    if (at + BLOCK > tar.length) return { kind: 'more' };
    const block = tar.subarray(at, at + BLOCK);
    const decoded = decodeHeader(block);
    if (decoded.kind === 'zero') return { kind: 'unstampable', reason: 'the archive ends before a +BUILD_INFO' };
    if (decoded.kind === 'bad') return { kind: 'unstampable', reason: `not a readable tar archive: ${decoded.reason}` };
    const { header } = decoded;
    // An extension header (pax, GNU long name) would change what follows it: kiln does not rewrite those.
    if (header.typeFlag !== '0') return { kind: 'unstampable', reason: `a tar header of type ${header.typeFlag} (${header.name}) before its +BUILD_INFO` };
    if (!header.name.startsWith('+')) return { kind: 'unstampable', reason: 'no +BUILD_INFO among its leading + files' };
    const end = at + BLOCK + header.size + paddingFor(header.size);
    if (header.name !== '+BUILD_INFO') {
      at = end;
      continue;
    }
    if (end > tar.length) return { kind: 'more' };
    const text = decoder.decode(tar.subarray(at + BLOCK, at + BLOCK + header.size));
    const data = encoder.encode(withInputs(text, inputs));
    const head = new Uint8Array(at + BLOCK + data.length + paddingFor(data.length));
    head.set(tar.subarray(0, at + BLOCK));
    head.set(data, at + BLOCK);
    resize(head.subarray(at, at + BLOCK), data.length);
    return { kind: 'stamped', head, consumed: end };
  }
}

/** +BUILD_INFO's lines with KILN_INPUTS set to `inputs` (any earlier one dropped). */
export function withInputs(text: string, inputs: string): string {
  const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith(`${INPUTS_KEY}=`));
  return [...lines, `${INPUTS_KEY}=${oneLine(inputs)}`].map((line) => `${line}\n`).join('');
}

/** A ustar header block given a new size, its checksum made again. */
function resize(block: Uint8Array, size: number): void {
  block.set(encoder.encode(`${size.toString(8).padStart(11, '0')}\0`), 124);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
}
