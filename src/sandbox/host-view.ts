// The host's file system as the mount plan sees it: read with lstat, so a
// symlink is copied as a symlink and never followed.

import { lstatSync, readdirSync, readlinkSync } from 'node:fs';

import type { HostView } from './bwrap-mounts.js';

export const hostView: HostView = {
  kind(path) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return 'symlink';
      return stat.isDirectory() ? 'dir' : 'other';
    } catch {
      return 'missing';
    }
  },
  readlink: (path) => readlinkSync(path),
  list: (path) => readdirSync(path),
};
