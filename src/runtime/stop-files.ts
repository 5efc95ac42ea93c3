// dpb's stop files: `<logdir>/stop` drains every host, `<logdir>/stop-<host>`
// drains one. Removing the file takes jobs again. Checked every few seconds.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export class StopFiles {
  private readonly logdir: string;
  private readonly hosts: string[];
  private readonly onChange: (host: string | undefined, on: boolean) => void;
  private readonly state = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(logdir: string, hosts: readonly string[], onChange: (host: string | undefined, on: boolean) => void) {
    this.logdir = logdir;
    this.hosts = [...hosts];
    this.onChange = onChange;
  }

  start(intervalS: number): void {
    this.check();
    this.timer = setInterval(() => this.check(), intervalS * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A host that joined while the build runs: its stop file counts from now on. */
  watch(host: string): void {
    if (this.hosts.includes(host)) return;
    this.hosts.push(host);
    if (this.timer !== undefined) this.update(host, existsSync(join(this.logdir, `stop-${host}`)), host);
  }

  /** Whether `stop-<host>` is there, as last seen. */
  isOn(host: string): boolean {
    return this.state.get(host) ?? false;
  }

  private check(): void {
    this.update('', existsSync(join(this.logdir, 'stop')), undefined);
    for (const host of this.hosts) this.update(host, existsSync(join(this.logdir, `stop-${host}`)), host);
  }

  private update(key: string, on: boolean, host: string | undefined): void {
    if ((this.state.get(key) ?? false) === on) return;
    this.state.set(key, on);
    this.onChange(host, on);
  }
}
