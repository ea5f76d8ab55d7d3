/** The sandbox's clock: real time plus an adjustable skew, so clients can be tested against a Kombo clock that differs. */
export interface Clock {
  /** Current sandbox time in epoch ms. */
  now(): number;
  readonly skewMs: number;
  setSkew(skewMs: number): void;
}

/** Creates a clock `skewMs` (default 0) ahead of (or, negative, behind) the real time. */
export function createClock(skewMs = 0): Clock {
  let skew = skewMs;
  return {
    now: () => Date.now() + skew,
    get skewMs() {
      return skew;
    },
    setSkew(next: number) {
      skew = next;
    },
  };
}
