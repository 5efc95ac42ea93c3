// Host features and classes (Hydra's supportedFeatures and
// mandatoryFeatures, OBS's power hosts): a host offers features
// (`features=big-parallel,kvm` in the hosts file) and may keep some for the
// jobs that need them (`mandatory=big-parallel`: it takes only jobs that
// require every one of those); a port requires features (Portfile
// `HOST_FEATURES=(...)`) or prefers them by its history (`prefers`,
// policies/big-parallel.ts): a kept host takes a job that needs or prefers
// what it keeps. A job goes only to a host that serves it. Pure.

/** A feature's name: what a hosts file and a Portfile may say. */
export const FEATURE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** What a host offers and keeps, as the engine sees it (HostSpec). */
export interface HostClass {
  /** Features the host offers (the mandatory ones included). */
  readonly features?: readonly string[];
  /** The host takes only jobs that require every one of these. */
  readonly mandatory?: readonly string[];
}

/** Whether a host of `host`'s class may run a job requiring `required` and preferring `prefers`. */
export function serves(host: HostClass, required: readonly string[] | undefined, prefers?: readonly string[]): boolean {
  const need = required ?? [];
  const offered = host.features ?? [];
  const kept = host.mandatory ?? [];
  return need.every((f) => offered.includes(f) || kept.includes(f)) && kept.every((f) => need.includes(f) || prefers?.includes(f) === true);
}

/** Whether `host` offers feature `f` (or keeps itself for it). */
export function offers(host: HostClass, f: string): boolean {
  return (host.features ?? []).includes(f) || (host.mandatory ?? []).includes(f);
}

/**
 * Why no host of `hosts` serves a job requiring `required`, or undefined
 * when one does: the features none of them offers, else the hosts that keep
 * themselves for jobs needing what this one does not.
 */
export function whyNoHostServes(hosts: ReadonlyArray<HostClass & { readonly name: string }>, required: readonly string[] | undefined,
  prefers?: readonly string[]): { readonly missing: readonly string[]; readonly reserved: readonly string[] } | undefined {
  if (hosts.some((h) => serves(h, required, prefers))) return undefined;
  const need = required ?? [];
  const missing = need.filter((f) => !hosts.some((h) => offers(h, f)));
  const reserved = hosts.filter((h) => (h.mandatory ?? []).some((f) => !need.includes(f) && prefers?.includes(f) !== true)).map((h) => h.name);
  return { missing, reserved };
}

/** A host's class as its hosts-file line says it (`features=big-parallel,kvm mandatory=big-parallel`), for the views; undefined when it has none. */
export function classText(host: HostClass): string | undefined {
  const parts = [
    ...(host.features !== undefined && host.features.length > 0 ? [`features=${host.features.join(',')}`] : []),
    ...(host.mandatory !== undefined && host.mandatory.length > 0 ? [`mandatory=${host.mandatory.join(',')}`] : []),
  ];
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** A comma-separated list of feature names (`big-parallel,kvm`): the names, or why not. */
export function parseFeatureList(value: string): readonly string[] | { readonly problem: string } {
  const names = value.split(',');
  const bad = names.find((n) => !FEATURE_NAME.test(n));
  if (bad !== undefined) return { problem: `${JSON.stringify(bad.slice(0, 40))} is not a feature name (letters, digits, '.', '_', '+', '-')` };
  return [...new Set(names)];
}
