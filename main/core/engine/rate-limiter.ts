/**
 * A token bucket shared by every transfer, for the global speed limit. Bytes are charged as they
 * pass; a transfer that overdraws waits for exactly the time the debt takes to repay, so the
 * average holds to the rate however many transfers share it.
 */
export class RateLimiter {
  private tokens = 0;
  private last: number;

  constructor(
    private rate: number,
    private readonly now: () => number = () => performance.now(),
    /** Burst allowance, in seconds of rate. */
    private readonly burstSeconds = 0.25,
  ) {
    this.last = now();
    this.tokens = rate * burstSeconds;
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate * this.burstSeconds);
  }

  /** Charges `bytes` and returns how long (ms) the caller must wait before sending more; 0 when unlimited. */
  take(bytes: number): number {
    if (this.rate <= 0) return 0;
    this.refill();
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = (t - this.last) / 1000;
    this.last = t;
    if (this.rate > 0) this.tokens = Math.min(this.rate * this.burstSeconds, this.tokens + elapsed * this.rate);
  }
}
