const sampleGapMs = 100;

/** Speed over a sliding window of a few seconds, for "2.4 MB/s" and the ETA. */
export class SpeedMeter {
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 3000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records the running byte count. */
  sample(bytes: number): void {
    const t = this.now();
    // Called for every chunk (thousands a second on a fast link): samples closer than 100 ms to the
    // one before move the newest instead of adding one, so the window holds a few dozen, not tens of
    // thousands the garbage collector has to walk (1.6 s of 7 s on a 2 GiB file).
    const last = this.samples.at(-1);
    const before = this.samples.at(-2);
    if (last && before && t - before.t < sampleGapMs) {
      last.t = t;
      last.bytes = bytes;
    } else this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 before there is enough to say. */
  bytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.t - first.t < 200) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }
}

/** Time left at the current speed, or null when it cannot be known. */
export function etaMs(done: number, total: number | null, speed: number): number | null {
  if (total === null || speed <= 0 || done >= total) return total !== null && done >= total ? 0 : null;
  return ((total - done) / speed) * 1000;
}
