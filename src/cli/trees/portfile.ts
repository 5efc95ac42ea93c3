// kiln's own Portfile trees: scanned by sourcing each Portfile with bash in a
// sandbox, built by kiln's recipe, indexed by kiln's pkg_summary writer. A
// remote host needs nothing of the tree: each job carries its port's files.

import { PortfileDriver } from '../../ports/portfile/portfile-driver.js';
import { writeRepositoryIndex } from '../../report/repository/pkg-summary.js';
import { buildPackage } from '../../sandbox/builder.js';
import { UsageError } from '../command.js';
import { scanUser } from './scan-user.js';
import type { DriverValues, OpenOptions, RemoteTree, TreeKind } from './tree-kind.js';

const NOTHING_REMOTE: RemoteTree = { treeHost: undefined, close: () => Promise.resolve() };

export async function openPortfileTree(tree: string, values: DriverValues, options: OpenOptions): Promise<TreeKind> {
  if (values.make !== undefined || values['bootstrap-kit'] !== undefined) throw new UsageError('--make and --bootstrap-kit are for pkgsrc trees (--driver pkgsrc)');
  const scanAs = await scanUser(tree);
  return {
    name: 'portfile',
    driver: new PortfileDriver(tree, { ...(options.timeoutS !== undefined && { timeoutS: options.timeoutS }), user: scanAs.user }),
    ...(scanAs.notice !== undefined && { notice: scanAs.notice }),
    fetches: true,
    remoteScanTimeoutS: 30,
    forBuild: ({ logdir }) => ({ build: buildPackage, writeIndex: async (allDir) => { await writeRepositoryIndex(allDir, logdir); }, remote: NOTHING_REMOTE }),
    forRemoteScan: () => NOTHING_REMOTE,
    close: () => Promise.resolve(),
  };
}
