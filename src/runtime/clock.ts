// Time is passed in (STYLE.md 5): the real run uses the system clock, tests
// may use another.

export interface Clock {
  /** Seconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() / 1000 };
