// Reads a tar stream incrementally: feed it decompressed bytes as they come,
// get whole members back. Made for the leading `+` files of a package: the
// caller keeps the data it asks for and may stop at any member.

import type { RawHeader } from './ustar.js';
import { BLOCK, decodeHeader, paddingFor, parsePaxRecords } from './ustar.js';

export type MemberType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

export interface TarMember {
  readonly path: string;
  readonly type: MemberType;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly linkname: string;
  /** The member's data, when the caller asked to keep it. */
  readonly data: Uint8Array | undefined;
}

export interface ScanResult {
  readonly members: readonly TarMember[];
  /** The end-of-archive blocks were read. */
  readonly ended: boolean;
  /** Set when the stream is not a readable tar archive. */
  readonly error?: string;
}

const KEEP_LIMIT = 64 * 1024 * 1024;

interface Pending {
  readonly header: Omit<TarMember, 'data'>;
  /** Extension headers (pax, GNU long names) are always kept, then applied. */
  readonly role: 'member' | 'pax' | 'gnu-long-name' | 'gnu-long-link' | 'skip';
  readonly keep: boolean;
  readonly chunks: Uint8Array[];
  remaining: number;
  padding: number;
}

export class TarScanner {
  private buffer: Uint8Array = new Uint8Array(0);
  private pending: Pending | undefined;
  private overrides = new Map<string, string>();
  private ended = false;
  private failed: string | undefined;

  /** `keep(path)` says whether to keep a member's data. */
  constructor(private readonly keep: (path: string) => boolean) {}

  push(chunk: Uint8Array): ScanResult {
    const members: TarMember[] = [];
    if (this.ended || this.failed !== undefined) return this.result(members);
    this.buffer = concat(this.buffer, chunk);
    let at = 0;
    for (;;) {
      if (this.pending !== undefined) {
        const pending = this.pending;
        const take = Math.min(pending.remaining, this.buffer.length - at);
        if (pending.keep && take > 0) pending.chunks.push(this.buffer.slice(at, at + take));
        pending.remaining -= take;
        at += take;
        if (pending.remaining > 0) break;
        const pad = Math.min(pending.padding, this.buffer.length - at);
        pending.padding -= pad;
        at += pad;
        if (pending.padding > 0) break;
        this.pending = undefined;
        const member = this.finish(pending);
        if (member !== undefined) members.push(member);
        continue;
      }
      if (this.buffer.length - at < BLOCK) break;
      const decoded = decodeHeader(this.buffer.subarray(at, at + BLOCK));
      at += BLOCK;
      if (decoded.kind === 'zero') {
        this.ended = true;
        break;
      }
      if (decoded.kind === 'bad') {
        this.failed = decoded.reason;
        break;
      }
      this.pending = this.start(decoded.header);
      if (this.failed !== undefined) break;
    }
    this.buffer = this.buffer.slice(at);
    return this.result(members);
  }

  private result(members: TarMember[]): ScanResult {
    return { members, ended: this.ended, ...(this.failed !== undefined && { error: this.failed }) };
  }

  private start(raw: RawHeader): Pending {
    const override = this.overrides;
    const role = roleOf(raw.typeFlag);
    const size = role === 'member' && override.has('size') ? Number(override.get('size')) : raw.size;
    const header = {
      path: role === 'member' ? override.get('path') ?? raw.name : raw.name,
      type: typeOf(raw.typeFlag),
      mode: raw.mode,
      size,
      mtime: raw.mtime,
      uid: raw.uid,
      gid: raw.gid,
      uname: raw.uname,
      gname: raw.gname,
      linkname: role === 'member' ? override.get('linkpath') ?? raw.linkname : raw.linkname,
    };
    if (role === 'member') this.overrides = new Map();
    const keep = role === 'member' ? header.type === 'file' && this.keep(header.path) : role !== 'skip';
    if (keep && size > KEEP_LIMIT) this.failed = `member ${header.path} is too large to keep (${size} bytes)`;
    const dataSize = header.type === 'file' || role !== 'member' ? size : 0;
    return { header, role, keep, chunks: [], remaining: dataSize, padding: paddingFor(dataSize) };
  }

  private finish(pending: Pending): TarMember | undefined {
    const data = pending.keep ? concatAll(pending.chunks) : undefined;
    switch (pending.role) {
      case 'member':
        return { ...pending.header, data };
      case 'pax':
        for (const [key, value] of parsePaxRecords(data ?? new Uint8Array(0))) this.overrides.set(key, value);
        return undefined;
      case 'gnu-long-name':
        this.overrides.set('path', cString(data));
        return undefined;
      case 'gnu-long-link':
        this.overrides.set('linkpath', cString(data));
        return undefined;
      case 'skip':
        return undefined;
    }
  }
}

function roleOf(flag: string): Pending['role'] {
  switch (flag) {
    case 'x': return 'pax';
    case 'L': return 'gnu-long-name';
    case 'K': return 'gnu-long-link';
    case 'g': return 'skip';
    default: return 'member';
  }
}

function typeOf(flag: string): MemberType {
  switch (flag) {
    case '0': case '7': return 'file';
    case '1': return 'hardlink';
    case '2': return 'symlink';
    case '5': return 'directory';
    default: return 'other';
  }
}

function cString(data: Uint8Array | undefined): string {
  if (data === undefined) return '';
  const end = data.indexOf(0);
  return new TextDecoder().decode(end === -1 ? data : data.subarray(0, end));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function concatAll(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
