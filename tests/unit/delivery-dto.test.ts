import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../main/core/delivery/deliveries.js';
import { deliveryDto } from '../../main/core/service/dto.js';

const view = (over: Partial<DeliveryView> = {}): DeliveryView => ({
  id: 1,
  name: 'Trip.zip',
  kind: 'zip',
  layout: 'flat',
  state: 'running',
  target: '/tmp/Trip.zip',
  dir: '/tmp',
  files: 4,
  createdAt: 0,
  completedAt: null,
  error: null,
  progress: { done: 1, failed: 0, canceled: 0, pending: 3, bytesDone: 4_000_000, bytesTotal: 10_000_000 },
  failures: [],
  active: [
    { taskId: 7, bytes: 0 },
    { taskId: 8, bytes: 1_000_000 },
  ],
  ...over,
});

describe('a delivery as the review pane shows it', () => {
  it('has the speed of its running downloads and the time left at that speed', () => {
    const live = new Map([
      [7, { id: 7, name: 'a', bytes: 500_000, total: null, speed: 1_000_000, etaMs: null }],
      [8, { id: 8, name: 'b', bytes: 2_500_000, total: null, speed: 2_000_000, etaMs: null }],
    ]);
    // 4 MB recorded, plus 0.5 MB and 1.5 MB more than recorded: 6 MB done, 4 MB left at 3 MB/s.
    expect(deliveryDto(view(), (id) => live.get(id))).toMatchObject({ progress: { bytesDone: 6_000_000 }, speed: 3_000_000, eta: 1333 });
  });

  it('has neither while nothing of it runs', () => {
    expect(deliveryDto(view({ active: [] }))).toMatchObject({ speed: null, eta: null, progress: { bytesDone: 4_000_000 } });
  });
});
