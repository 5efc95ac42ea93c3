// The fetch jobs of a run as the views show them, beside the builds: each
// distfile coming now (file, site, bytes so far, rate), and what the run
// fetched in all and for each package (bytes, seconds). Folded from the
// fetch-started/-progress/-ended events by RunViewState; nothing here reads
// a clock or a file.

import type { PkgName } from '../../core/model.js';
import type { RunEvent } from '../../core/run-events.js';

type Started = Extract<RunEvent, { type: 'fetch-started' }>;

export interface RunningFetch {
  readonly name: string;
  readonly site: string;
  /** Its whole size, as distinfo gives it. */
  readonly size: number;
  readonly bytes: number;
  readonly startedAt: number;
  readonly elapsedS: number;
  /** Bytes a second since its transfer from this site began. */
  readonly rate: number;
  readonly ports: readonly PkgName[];
}

export interface FetchesView {
  /** The distfiles coming now, the oldest first. */
  readonly running: readonly RunningFetch[];
  /** Distfiles fetched into DISTDIR, and those that could not be had. */
  readonly fetched: number;
  readonly failed: number;
  /** Bytes transferred and seconds spent fetching, each distfile counted once. */
  readonly bytes: number;
  readonly seconds: number;
}

/** What a package's own fetches took: each distfile it waited for counted whole, even when another package wanted it too. */
export interface PackageFetch {
  readonly bytes: number;
  readonly seconds: number;
}

interface Coming {
  readonly started: Started;
  bytes: number;
}

export class FetchBook {
  private readonly coming = new Map<string, Coming>();
  private readonly byPackage = new Map<PkgName, PackageFetch>();
  private fetched = 0;
  private failed = 0;
  private bytes = 0;
  private seconds = 0;

  /** The file each running fetch is written to, by distfile: what a reader measures (live-fetches.ts). */
  get parts(): ReadonlyMap<string, { readonly part: string; readonly bytes: number }> {
    return new Map([...this.coming].map(([name, c]) => [name, { part: c.started.part, bytes: c.bytes }]));
  }

  /** Folds one fetch event; returns the packages whose totals changed. */
  emit(event: Extract<RunEvent, { type: 'fetch-started' | 'fetch-progress' | 'fetch-ended' }>): readonly PkgName[] {
    switch (event.type) {
      case 'fetch-started':
        this.coming.set(event.name, { started: event, bytes: 0 });
        return [];
      case 'fetch-progress': {
        const coming = this.coming.get(event.name);
        if (coming) coming.bytes = event.bytes;
        return [];
      }
      case 'fetch-ended': {
        this.coming.delete(event.name);
        if (event.ok) this.fetched++; else this.failed++;
        this.bytes += event.bytes;
        this.seconds += event.seconds;
        for (const port of event.ports) {
          const before = this.byPackage.get(port) ?? { bytes: 0, seconds: 0 };
          this.byPackage.set(port, { bytes: before.bytes + event.bytes, seconds: before.seconds + event.seconds });
        }
        return event.ports;
      }
    }
  }

  /** A new process of the run, or its end: the transfers the last one had going will not end (their files are fetched again). */
  forgetRunning(): void {
    this.coming.clear();
  }

  ofPackage(pkgname: PkgName): PackageFetch | undefined {
    return this.byPackage.get(pkgname);
  }

  view(now: number): FetchesView {
    const running = [...this.coming.values()].map(({ started, bytes }): RunningFetch => {
      const elapsedS = Math.max(0, now - started.at);
      return {
        name: started.name, site: started.site, size: started.size, bytes, startedAt: started.at, elapsedS,
        rate: elapsedS > 0 ? bytes / elapsedS : 0, ports: started.ports,
      };
    });
    return { running, fetched: this.fetched, failed: this.failed, bytes: this.bytes, seconds: this.seconds };
  }
}
