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
  progress: { done: 1, failed: 0, canceled: 0, pending: 3, bytesDone: 4_000_000, bytesTotal: 10_000_000 },
  failures: [],
  activeTaskIds: [7, 8],
  ...over,
});

describe('a delivery as the review pane shows it', () => {
  it('has the speed of its running downloads and the time left at that speed', () => {
    const live = new Map([
      [7, { id: 7, name: 'a', bytes: 0, total: null, speed: 1_000_000, etaMs: null }],
      [8, { id: 8, name: 'b', bytes: 0, total: null, speed: 2_000_000, etaMs: null }],
    ]);
    expect(deliveryDto(view(), (id) => live.get(id))).toMatchObject({ speed: 3_000_000, eta: 2000 });
  });

  it('has neither while nothing of it runs', () => {
    expect(deliveryDto(view({ activeTaskIds: [] }))).toMatchObject({ speed: null, eta: null });
  });
});
