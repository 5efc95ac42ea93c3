// A pkgsrc port's distfiles as pkgsrc itself computes them, for kiln's own
// fetcher: bmake is asked (`-V`, after reading the port's makefiles, so
// mk.conf, DIST_SUBDIR, PATCHFILES and MASTER_SITE_* are all applied) for
// DISTINFO_FILE, DIST_SUBDIR and, for each file of _ALLFILES, the sites
// pkgsrc's do-fetch-file would try in order: _MASTER_SITE_OVERRIDE, then
// SITES.<file> (MASTER_SITES for a distfile, PATCH_SITES for a patch file),
// then _MASTER_SITE_BACKUP. As mk/fetch/fetch does, a site starting with
// `-` is the whole URL; any other gets the file's base name appended.
// Not followed: MASTER_SORT and MASTER_SORT_RANDOM (the order is kept),
// DIST_PATH, and sites given by a FILESDIR/getsite.sh command.

/** A word that starts a file in the answer (no URL or file name is it). */
const FILE_MARK = 'kiln:file';

/** bmake's `-V` arguments, in the order of their lines in the answer. */
export const PKGSRC_FETCH_QUERY: readonly string[] = [
  '${DISTINFO_FILE}',
  '${DIST_SUBDIR}',
  `\${_ALLFILES:@_kiln_f_@${FILE_MARK} \${_kiln_f_} \${_MASTER_SITE_OVERRIDE} \${SITES.\${_kiln_f_:T:S/=/--/}} \${_MASTER_SITE_BACKUP}@}`,
];

export interface PkgsrcFetchFile {
  /** Its path under DISTDIR and its name in distinfo: `DIST_SUBDIR/file`, or `file`. */
  readonly name: string;
  /** The URLs to try, in pkgsrc's order. */
  readonly urls: readonly string[];
}

export interface PkgsrcFetchValues {
  readonly distinfoFile: string;
  readonly distSubdir: string;
  readonly files: readonly PkgsrcFetchFile[];
}

/** The URL protocols a site may have; a word that is no such URL (a backquoted command, a typo) is not a site. */
const URL = /^(?:https?|ftp):\/\/[^\s/?#]+\S*$/i;

/** The URL of `file` (its base name) at a pkgsrc site: `-URL` is URL itself, as mk/fetch/fetch reads it. */
export function siteUrl(site: string, file: string): string | undefined {
  const url = site.startsWith('-') ? site.slice(1) : site + file.slice(file.lastIndexOf('/') + 1);
  return URL.test(url) ? url : undefined;
}

/** bmake's answer to PKGSRC_FETCH_QUERY, read; a string says what is wrong with it. */
export function parsePkgsrcFetch(output: string): PkgsrcFetchValues | string {
  const lines = output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== PKGSRC_FETCH_QUERY.length) return `bmake gave ${lines.length} lines for ${PKGSRC_FETCH_QUERY.length} values`;
  const [distinfoFile, distSubdir, list] = lines as [string, string, string];
  const files: Array<{ name: string; sites: string[] }> = [];
  for (const word of list.split(/\s+/).filter((w) => w !== '')) {
    const last = files[files.length - 1];
    if (word === FILE_MARK) files.push({ name: '', sites: [] });
    else if (last === undefined) return `bmake's list of distfiles does not start with a file: ${JSON.stringify(word.slice(0, 80))}`;
    else if (last.name === '') last.name = word;
    else last.sites.push(word);
  }
  if (files.some((f) => f.name === '')) return 'bmake named a distfile with no name';
  return {
    distinfoFile: distinfoFile.trim(),
    distSubdir: distSubdir.trim(),
    files: files.map(({ name, sites }) => ({ name, urls: unique(sites.flatMap((site) => siteUrl(site, name) ?? [])) })),
  };
}

/**
 * The URLs of each file with kiln's `--master-site-override` sites first,
 * each with DIST_SUBDIR appended as pkgsrc appends it to MASTER_SITE_OVERRIDE.
 */
export function withOverride(values: PkgsrcFetchValues, override: readonly string[]): PkgsrcFetchFile[] {
  const sub = values.distSubdir === '' ? '' : `${values.distSubdir}/`;
  const sites = override.map((site) => `${site}${site.endsWith('/') ? '' : '/'}${sub}`);
  return values.files.map((file) => ({ name: file.name, urls: unique([...sites.flatMap((site) => siteUrl(site, file.name) ?? []), ...file.urls]) }));
}

function unique(urls: readonly string[]): string[] {
  return [...new Set(urls)];
}
