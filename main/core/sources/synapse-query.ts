import { z } from 'zod';
import { CartageError } from '../errors.js';
import { modelPackage as M, type SynapseApi } from './synapse-api.js';

const pageSize = 100;

const bundleSchema = z.object({
  queryResult: z
    .object({
      queryResults: z.object({ rows: z.array(z.object({ rowId: z.number(), versionNumber: z.number().optional() })).default([]) }).optional(),
    })
    .optional(),
  queryCount: z.number().optional(),
});

/** The view or table a query reads: the id after FROM. */
export function queryTable(sql: string): string {
  const id = /\bfrom\s+(syn\d+)/i.exec(sql)?.[1];
  if (!id || !/^\s*select\b/i.test(sql)) {
    throw new CartageError('bad_input', `"${sql}" is not a Synapse query: write it as SELECT * FROM syn123 WHERE ..., naming a view or a table.`);
  }
  return id.toLowerCase();
}

/**
 * The rows of a view query, page after page until the last (the design asks for "all files from
 * the view query, not just the page shown"). Each page is an asynchronous job; rows of a view are
 * entities (rowId is the id's number, versionNumber its version).
 */
export async function* viewRows(api: SynapseApi, sql: string): AsyncIterable<{ id: string; version: number }[]> {
  const table = queryTable(sql);
  let count = Infinity;
  for (let offset = 0; offset < count; ) {
    // The first page asks for the count too (partMask 0x2): the server may send fewer rows a page than asked.
    const bundle = await api.job(
      `/repo/v1/entity/${table}/table/query`,
      { concreteType: `${M}.table.QueryBundleRequest`, entityId: table, query: { sql, offset, limit: pageSize }, partMask: offset === 0 ? 0x1 | 0x2 : 0x1 },
      bundleSchema,
      `the query of ${table}`,
    );
    if (bundle.queryCount !== undefined) count = bundle.queryCount;
    const rows = bundle.queryResult?.queryResults?.rows ?? [];
    if (rows.length === 0) return;
    yield rows.map((r) => ({ id: `syn${r.rowId}`, version: r.versionNumber ?? 1 }));
    offset += rows.length;
  }
}
