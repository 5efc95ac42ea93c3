// Names and paths that cross the wire. A pkgpath or a port file's path is
// joined under a directory on the far side, so it must not escape it: no
// absolute paths, no `..`, no empty or `.` segments, no control characters.

/** A relative path of plain segments, at most `maxSegments` deep. */
export function isSafeRelativePath(path: string, maxSegments = 64): boolean {
  if (path.length === 0 || path.length > 4096) return false;
  const segments = path.split('/');
  if (segments.length > maxSegments) return false;
  return segments.every(isSafeSegment);
}

/** One path segment: not empty, not `.` or `..`, no `/`, NUL or control characters. */
export function isSafeSegment(segment: string): boolean {
  if (segment === '' || segment === '.' || segment === '..' || segment.length > 255) return false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f) return false;
  }
  return true;
}

/** A pkgpath: `category/name`, each segment of the usual port-name characters. */
export function isSafePkgPath(pkgpath: string): boolean {
  return /^[A-Za-z0-9_+][A-Za-z0-9._+-]*(\/[A-Za-z0-9_+][A-Za-z0-9._+-]*){1,3}$/.test(pkgpath) && isSafeRelativePath(pkgpath);
}

/** A file name made from a pkgname (`gmake-4.4.1` → `gmake-4.4.1.tgz`): one safe segment, not hidden, at most 255 bytes (NAME_MAX). */
export function isSafeFileName(name: string): boolean {
  return isSafeSegment(name) && !name.startsWith('.') && !name.startsWith('-') && Buffer.byteLength(name) <= 255;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Whether a symlink at `linkPath` (relative to a root) with `target` stays
 * inside the root once resolved: relative targets only.
 */
export function isContainedLink(linkPath: string, target: string): boolean {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return false;
  const parts = linkPath.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return false;
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return true;
}
