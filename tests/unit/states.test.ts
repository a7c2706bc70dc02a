import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, taskStates } from '../../main/core/queue/states.js';

describe('task state machine', () => {
  it('allows the moves a download makes', () => {
    expect(canTransition('queued', 'active')).toBe(true);
    expect(canTransition('active', 'completed')).toBe(true);
    expect(canTransition('active', 'queued')).toBe(true);
    expect(canTransition('paused', 'queued')).toBe(true);
    expect(canTransition('failed', 'queued')).toBe(true);
  });

  it('throws on illegal moves, with the task and both states named', () => {
    expect(() => assertTransition(7, 'completed', 'queued')).toThrow('Task 7 cannot go from completed to queued.');
    expect(() => assertTransition(7, 'queued', 'completed')).toThrow(/queued to completed/);
    expect(() => assertTransition(7, 'canceled', 'active')).toThrow();
  });

  it('keeps completed and canceled final', () => {
    for (const to of taskStates) {
      expect(canTransition('completed', to)).toBe(false);
      expect(canTransition('canceled', to)).toBe(false);
    }
  });
});
