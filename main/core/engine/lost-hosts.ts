import { probeHost } from './probe.js';

/** What the watch over lost hosts needs from the engine. */
export interface LostHostsOptions {
  /** Read each time a probe round is scheduled, so a changed setting applies at once. */
  probeIntervalMs: () => number;
  /** The network to `host` is back: its downloads go on. */
  onBack: (host: string) => void;
  /** A probe round ended (whatever it found): the engine looks at the queue again. */
  afterRound: () => void;
}

/**
 * Hosts whose downloads gave up because the network dropped, each probed every `probeIntervalMs`
 * until it answers again: then its downloads go on by themselves.
 */
export class LostHosts {
  private readonly hosts = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: LostHostsOptions) {}

  /** Starts watching the hosts lost before the engine started, probing them at once. */
  start(lost: readonly { host: string; url: string }[]): void {
    this.stopped = false;
    for (const { host, url } of lost) this.hosts.set(host, url);
    if (this.hosts.size > 0) void this.probe();
  }

  /** Watches one more host, `url` being one of its downloads to probe. */
  watch(host: string, url: string): void {
    this.hosts.set(host, url);
    if (!this.timer) this.schedule();
  }

  /** No more probes are scheduled, and a round under way starts no download. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped || this.hosts.size === 0) return;
    this.timer = setTimeout(() => void this.probe(), this.options.probeIntervalMs());
    this.timer.unref();
  }

  /** Probes every host that dropped off the network; tasks of the hosts that answer go on by themselves. */
  private async probe(): Promise<void> {
    this.timer = null;
    await Promise.all(
      [...this.hosts].map(async ([host, url]) => {
        if (!(await probeHost(url)) || this.stopped) return;
        this.hosts.delete(host);
        this.options.onBack(host);
      }),
    );
    this.options.afterRound();
    this.schedule();
  }
}
