// What a package holds, read with GNU tar (an independent reader): its
// packing list (every file with its MD5, links, directories, dependencies)
// and its +BUILD_INFO without the lines that name when and where it was
// built. Two builds of the same port agree on this wherever they ran.

import { mustRun } from './run-command.js';

/** Lines of +BUILD_INFO that differ between hosts and times. */
const WHERE_AND_WHEN = /^(BUILD_DATE|BUILD_HOST)=/;

export interface PackageContents {
  readonly members: readonly string[];
  readonly contents: string;
  readonly buildInfo: readonly string[];
  readonly comment: string;
}

export async function packageContents(file: string): Promise<PackageContents> {
  const read = async (member: string): Promise<string> => (await mustRun('tar', ['-xzOf', file, member])).stdout.toString('utf8');
  const members = (await mustRun('tar', ['-tzf', file])).stdout.toString('utf8').split('\n').filter((l) => l !== '');
  return {
    members,
    contents: await read('+CONTENTS'),
    buildInfo: (await read('+BUILD_INFO')).split('\n').filter((l) => l !== '' && !WHERE_AND_WHEN.test(l)),
    comment: await read('+COMMENT'),
  };
}
