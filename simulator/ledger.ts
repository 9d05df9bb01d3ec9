// The record of paid work: one entry per accepted submit. Tests read it to prove that a run
// never submitted (and so never paid for) the same step twice.

import type { SimulatedTask } from './taskStore';

export interface LedgerEntry {
  /** e.g. "POST /suno/generate" */
  route: string;
  taskId: string;
  /** ISO 8601 time the submit was accepted. */
  receivedAt: string;
  /** The request body exactly as received. */
  body: unknown;
}

// Derived from the task, so entries rebuilt from saved tasks after a restart match the originals.
export function ledgerEntryFor(task: SimulatedTask<unknown>): LedgerEntry {
  return { route: task.route, taskId: task.id, receivedAt: task.submittedAt.toISOString(), body: task.request };
}
