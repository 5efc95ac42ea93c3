// The tar format of binary packages, as pkg_create writes it: POSIX ustar
// headers, with a pax extended header in front of an entry only when ustar
// cannot hold it (long or non-ASCII names, huge sizes). Pure: bytes in,
// bytes out; the callers stream file contents and compress.

export const BLOCK = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'directory';

export interface TarHeader {
  /** Relative path inside the archive, `/`-separated, no leading `./`. */
  readonly path: string;
  readonly type: TarEntryType;
  /** Permission bits (0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  /** Bytes of data following the header: 0 except for files. */
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  /** Target of a symlink or hardlink, else ''. */
  readonly linkname: string;
}

const TYPE_FLAG: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', directory: '5' };
const MAX_OCTAL_SIZE = 0o77777777777;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Zero bytes that pad `size` bytes of data up to a whole block. */
export function paddingFor(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** The two zero blocks that end an archive. */
export function endOfArchive(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

/**
 * The header block(s) of one entry: a pax extended header first when ustar
 * cannot hold the path, the link target or the size.
 */
export function encodeHeader(header: TarHeader): Uint8Array {
  const pax: [string, string][] = [];
  const split = splitUstarPath(header.path);
  if (split === undefined) pax.push(['path', header.path]);
  if (!fitsUstarField(header.linkname, 100)) pax.push(['linkpath', header.linkname]);
  if (header.size > MAX_OCTAL_SIZE) pax.push(['size', String(header.size)]);
  const ustar = ustarBlock(header, split ?? { prefix: '', name: asciiTail(header.path, 100) });
  if (pax.length === 0) return ustar;
  const records = utf8.encode(pax.map(([key, value]) => paxRecord(key, value)).join(''));
  const paxHeader = ustarBlock(
    { ...header, type: 'file', size: records.length, linkname: '', mode: 0o644 },
    { prefix: '', name: `PaxHeader/${asciiTail(baseName(header.path), 80)}` },
    'x',
  );
  const out = new Uint8Array(BLOCK + records.length + paddingFor(records.length) + BLOCK);
  out.set(paxHeader, 0);
  out.set(records, BLOCK);
  out.set(ustar, out.length - BLOCK);
  return out;
}

/** One `LEN key=value\n` record; LEN counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = utf8.encode(body).length;
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return `${length}${body}`;
}

function ustarBlock(header: TarHeader, where: { prefix: string; name: string }, typeFlag?: string): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, where.name);
  writeOctal(block, 100, 8, header.mode & 0o7777);
  writeOctal(block, 108, 8, header.uid);
  writeOctal(block, 116, 8, header.gid);
  writeOctal(block, 124, 12, header.size > MAX_OCTAL_SIZE ? 0 : header.size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(header.mtime)));
  block.fill(0x20, 148, 156);
  block[156] = (typeFlag ?? TYPE_FLAG[header.type]).charCodeAt(0);
  writeString(block, 157, 100, fitsUstarField(header.linkname, 100) ? header.linkname : asciiTail(header.linkname, 100));
  writeString(block, 257, 6, 'ustar');
  writeString(block, 263, 2, '00');
  writeString(block, 265, 32, header.uname);
  writeString(block, 297, 32, header.gname);
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  writeString(block, 345, 155, where.prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeString(block, 148, 7, sum.toString(8).padStart(6, '0'));
  block[155] = 0x20;
  return block;
}

/** ustar holds a path as prefix (155) + `/` + name (100), ASCII only here. */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (!isPlainAscii(path)) return undefined;
  if (path.length <= 100) return { prefix: '', name: path };
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return { prefix, name };
  }
  return undefined;
}

function fitsUstarField(value: string, size: number): boolean {
  return isPlainAscii(value) && value.length <= size;
}

function isPlainAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** A stand-in for readers without pax support: the ASCII tail of the value. */
function asciiTail(value: string, size: number): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= size ? ascii : ascii.slice(ascii.length - size);
}

function baseName(path: string): string {
  const parts = path.split('/').filter((part) => part !== '');
  return parts[parts.length - 1] ?? 'entry';
}

function writeString(block: Uint8Array, offset: number, size: number, value: string): void {
  utf8.encodeInto(value, block.subarray(offset, offset + size));
}

function writeOctal(block: Uint8Array, offset: number, size: number, value: number): void {
  writeString(block, offset, size - 1, value.toString(8).padStart(size - 1, '0'));
}

/** What one header block says, before pax records are applied. */
export interface RawHeader {
  readonly name: string;
  readonly typeFlag: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly size: number;
  readonly mtime: number;
  readonly linkname: string;
}

export type DecodedBlock =
  | { readonly kind: 'header'; readonly header: RawHeader }
  | { readonly kind: 'zero' }
  | { readonly kind: 'bad'; readonly reason: string };

/** Reads one 512-byte header block. */
export function decodeHeader(block: Uint8Array): DecodedBlock {
  if (block.length !== BLOCK) return { kind: 'bad', reason: `short header block (${block.length} bytes)` };
  if (block.every((byte) => byte === 0)) return { kind: 'zero' };
  const stored = readNumber(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  if (stored !== sum) return { kind: 'bad', reason: 'header checksum mismatch' };
  const name = readString(block, 0, 100);
  const magic = readString(block, 257, 6);
  const prefix = magic.startsWith('ustar') ? readString(block, 345, 155) : '';
  const flag = block[156] ?? 0;
  return {
    kind: 'header',
    header: {
      name: prefix === '' ? name : `${prefix}/${name}`,
      typeFlag: flag === 0 ? '0' : String.fromCharCode(flag),
      mode: readNumber(block, 100, 8),
      uid: readNumber(block, 108, 8),
      gid: readNumber(block, 116, 8),
      size: readNumber(block, 124, 12),
      mtime: readNumber(block, 136, 12),
      linkname: readString(block, 157, 100),
      uname: readString(block, 265, 32),
      gname: readString(block, 297, 32),
    },
  };
}

/** pax `LEN key=value\n` records (the data of an `x` entry). */
export function parsePaxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    let space = at;
    while (space < data.length && data[space] !== 0x20) space++;
    const length = Number(fromUtf8.decode(data.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) break;
    const record = fromUtf8.decode(data.subarray(space + 1, at + length - 1));
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

function readString(block: Uint8Array, offset: number, size: number): string {
  const field = block.subarray(offset, offset + size);
  const end = field.indexOf(0);
  return fromUtf8.decode(end === -1 ? field : field.subarray(0, end));
}

/** Octal, or GNU base-256 when the first byte has its high bit set. */
function readNumber(block: Uint8Array, offset: number, size: number): number {
  const first = block[offset] ?? 0;
  if ((first & 0x80) !== 0) {
    let value = first & 0x7f;
    for (let i = 1; i < size; i++) value = value * 256 + (block[offset + i] ?? 0);
    return value;
  }
  const text = readString(block, offset, size).trim();
  return text === '' ? 0 : parseInt(text, 8);
}
