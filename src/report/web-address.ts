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

/** Loopback addresses: the server then answers only requests that name it as such (no DNS rebinding). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
