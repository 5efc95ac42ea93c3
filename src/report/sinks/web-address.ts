// `--web ADDR`: `8080`, `:8080`, `127.0.0.1:8080`, `[::1]:8080`, or
// `0.0.0.0:8080` to be reached from elsewhere. Without a host, loopback only.

export interface WebAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_WEB_HOST = '127.0.0.1';

/** The address, or a message saying what is wrong with it. */
export function parseWebAddress(text: string): WebAddress | string {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)?:)?([0-9]{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) return `--web wants [HOST:]PORT, such as 127.0.0.1:8080, not '${text}'`;
  const host = match[1] === undefined ? DEFAULT_WEB_HOST : match[1].replace(/^\[|\]$/g, '');
  return { host, port };
}

/** An IPv4 literal in 127.0.0.0/8, each part a decimal 0-255. */
const IPV4_LOOPBACK = /^127(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

/** Loopback addresses: the server then answers only requests that name it as such (no DNS rebinding). */
export function isLoopback(host: string): boolean {
  return host.toLowerCase() === 'localhost' || host === '::1' || IPV4_LOOPBACK.test(host);
}

/**
 * Whether a request's Host header names a loopback address, with or without
 * a port: `127.0.0.1:8080`, `[::1]:8080`, `localhost`. A name that only
 * starts like one (`127.0.0.1.example.com`, a rebinding attacker's) does not.
 */
export function isLoopbackHostHeader(header: string): boolean {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::[0-9]{1,5})?$/.exec(header);
  if (!match) return false;
  const host = match[1]!;
  return host.startsWith('[') ? host === '[::1]' : isLoopback(host);
}
