import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/core/db/connection.js';
import { assertDeliveryMove, canMoveDelivery, deliveryStates, type DeliveryState } from '../../main/core/delivery/delivery-states.js';
import { createDelivery, moveDelivery } from '../../main/core/delivery/delivery-store.js';
import { assertRunMove, canMoveRun, runStates, type RunState } from '../../main/core/sync/run-states.js';
import { createRun, moveRun } from '../../main/core/sync/run-store.js';
import { tempDir } from '../helpers/core.js';

const deliveryMoves: [DeliveryState, DeliveryState][] = [
  ['running', 'assembling'],
  ['running', 'completed'],
  ['running', 'canceled'],
  ['running', 'failed'],
  ['assembling', 'completed'],
  ['assembling', 'canceled'],
  ['assembling', 'failed'],
  ['failed', 'running'],
  ['failed', 'canceled'],
  ['completed', 'running'],
];

const runMoves: [RunState, RunState][] = [
  ['enumerating', 'downloading'],
  ['enumerating', 'failed'],
  ['enumerating', 'interrupted'],
  ['downloading', 'completed'],
  ['downloading', 'interrupted'],
];

function db(): ReturnType<typeof openDatabase> {
  return openDatabase(path.join(tempDir(), 'db', 'cartage.db'));
}

function newDelivery(d: ReturnType<typeof openDatabase>, kind: 'files' | 'zip' = 'zip'): number {
  return createDelivery(d, { name: 'Holiday.zip', kind, dir: '/tmp/x', layout: 'flat', zipPath: kind === 'zip' ? '/tmp/x/Holiday.zip' : null, files: 1, bytes: 1 });
}

const stateOf = (d: ReturnType<typeof openDatabase>, table: string, id: number): string =>
  (d.prepare(`SELECT state FROM ${table} WHERE id = ?`).get(id) as { state: string }).state;

describe('delivery state machine', () => {
  it('allows exactly the moves a delivery makes: zipped, completed, canceled, failed, retried, reopened', () => {
    for (const from of deliveryStates) {
      for (const to of deliveryStates) {
        const legal = deliveryMoves.some(([f, t]) => f === from && t === to);
        expect(canMoveDelivery(from, to), `${from} -> ${to}`).toBe(legal);
      }
    }
  });

  it('throws on an illegal move, with the delivery and both states named', () => {
    expect(() => assertDeliveryMove(4, 'canceled', 'running')).toThrow('Delivery 4 cannot go from canceled to running.');
    expect(() => assertDeliveryMove(4, 'completed', 'failed')).toThrow(/completed to failed/);
  });

  it('moves a stored delivery only from the states asked for, and refuses an illegal move without changing the row', () => {
    const d = db();
    const id = newDelivery(d);
    expect(moveDelivery(d, id, ['running'], 'assembling')).toBe(true);
    // Asked to move from running, but it is assembling now: left as it is.
    expect(moveDelivery(d, id, ['running'], 'failed', { error: 'x' })).toBe(false);
    expect(stateOf(d, 'deliveries', id)).toBe('assembling');
    expect(moveDelivery(d, id, ['running', 'assembling'], 'canceled', { completedAt: 5 })).toBe(true);
    expect(() => moveDelivery(d, id, ['canceled'], 'running')).toThrow('Delivery');
    expect(d.prepare('SELECT state, completed_at, error FROM deliveries WHERE id = ?').get(id)).toEqual({ state: 'canceled', completed_at: 5, error: null });
  });

  it('reopens only a delivery of files, and never cancels a zip being placed', () => {
    const d = db();
    const zip = newDelivery(d, 'zip');
    d.prepare("UPDATE deliveries SET placing = '/tmp/x/Holiday.zip' WHERE id = ?").run(zip);
    expect(moveDelivery(d, zip, ['running'], 'canceled', {}, { notPlacing: true })).toBe(false);
    expect(moveDelivery(d, zip, ['running'], 'completed')).toBe(true);
    expect(moveDelivery(d, zip, ['completed'], 'running', {}, { kind: 'files' })).toBe(false);
    const files = newDelivery(d, 'files');
    expect(moveDelivery(d, files, ['running'], 'completed', { completedAt: 1 })).toBe(true);
    expect(moveDelivery(d, files, ['completed'], 'running', { completedAt: null }, { kind: 'files' })).toBe(true);
    expect(stateOf(d, 'deliveries', zip)).toBe('completed');
    expect(stateOf(d, 'deliveries', files)).toBe('running');
  });
});

describe('mirror run state machine', () => {
  it('allows exactly the moves a run makes: listed, failed, interrupted, completed', () => {
    for (const from of runStates) {
      for (const to of runStates) {
        const legal = runMoves.some(([f, t]) => f === from && t === to);
        expect(canMoveRun(from, to), `${from} -> ${to}`).toBe(legal);
      }
    }
  });

  it('throws on an illegal move, with the run and both states named', () => {
    expect(() => assertRunMove(3, 'completed', 'downloading')).toThrow('Mirror run 3 cannot go from completed to downloading.');
    expect(() => assertRunMove(3, 'downloading', 'failed')).toThrow(/downloading to failed/);
  });

  it('moves a stored run only from the state asked for, records its end, and refuses an illegal move', () => {
    const d = db();
    d.prepare("INSERT INTO sources (id, name, kind, url, auth, created_at) VALUES (1, 'site', 'webdav', 'http://127.0.0.1/', 'none', 0)").run();
    d.prepare("INSERT INTO mirrors (id, source_id, scope_kind, scope, recursive, dir, layout, sidecars, apply_deletions, created_at) VALUES (1, 1, 'path', '', 0, '/tmp/m', 'folders', 0, 0, 0)").run();
    const run = createRun(d, 1);
    expect(stateOf(d, 'mirror_runs', run)).toBe('enumerating');
    // The unguarded move of old: a run that is not listing any more is not sent downloading.
    expect(moveRun(d, run, 'downloading', 'completed')).toBe(0);
    expect(moveRun(d, run, 'enumerating', 'downloading')).toBe(1);
    expect(moveRun(d, run, 'enumerating', 'failed', 'no')).toBe(0);
    expect(moveRun(d, run, 'downloading', 'completed')).toBe(1);
    expect(() => moveRun(d, run, 'completed', 'downloading')).toThrow('Mirror run');
    const row = d.prepare('SELECT state, ended_at, error FROM mirror_runs WHERE id = ?').get(run) as { state: string; ended_at: number | null; error: string | null };
    expect(row.state).toBe('completed');
    expect(row.ended_at).not.toBeNull();
    expect(row.error).toBeNull();
  });

  it('interrupts every run left listing, and only those', () => {
    const d = db();
    d.prepare("INSERT INTO sources (id, name, kind, url, auth, created_at) VALUES (1, 'site', 'webdav', 'http://127.0.0.1/', 'none', 0)").run();
    d.prepare("INSERT INTO mirrors (id, source_id, scope_kind, scope, recursive, dir, layout, sidecars, apply_deletions, created_at) VALUES (1, 1, 'path', '', 0, '/tmp/m', 'folders', 0, 0, 0)").run();
    const listing = [createRun(d, 1), createRun(d, 1)];
    const downloading = createRun(d, 1);
    moveRun(d, downloading, 'enumerating', 'downloading');
    expect(moveRun(d, null, 'enumerating', 'interrupted')).toBe(2);
    expect(listing.map((r) => stateOf(d, 'mirror_runs', r))).toEqual(['interrupted', 'interrupted']);
    expect(stateOf(d, 'mirror_runs', downloading)).toBe('downloading');
  });
});
