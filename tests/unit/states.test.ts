import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, controllable, controlTarget, taskStates } from '../../main/core/queue/states.js';

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

  it('moves with a control only from the states the table gives it, each a legal move', () => {
    expect(controllable('pause', 'named')).toEqual(['queued', 'active']);
    expect(controllable('resume', 'named')).toEqual(['paused']);
    expect(controllable('cancel', 'named')).toEqual(['queued', 'active', 'paused', 'failed']);
    expect(controllable('retry', 'named')).toEqual(['failed', 'skipped']);
    for (const verb of ['pause', 'resume', 'cancel', 'retry'] as const) {
      for (const scope of ['named', 'all'] as const) {
        for (const from of controllable(verb, scope)) expect(canTransition(from, controlTarget[verb])).toBe(true);
      }
    }
  });

  it('retries a skipped task only when it is named, and never cancels one', () => {
    expect(controllable('retry', 'all')).toEqual(['failed']);
    expect(canTransition('skipped', 'queued')).toBe(true);
    expect(canTransition('skipped', 'canceled')).toBe(false);
    expect(() => assertTransition(3, 'skipped', 'canceled')).toThrow('Task 3 cannot go from skipped to canceled.');
    expect(controllable('cancel', 'all')).not.toContain('skipped');
  });
});
