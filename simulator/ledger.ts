// The record of paid work: one entry per accepted submit. Tests read it to prove that a run
// never submitted (and so never paid for) the same step twice.

export interface LedgerEntry {
  /** e.g. "POST /suno/generate" */
  route: string;
  taskId: string;
  /** ISO 8601 time the submit was accepted. */
  receivedAt: string;
  /** The request body exactly as received. */
  body: unknown;
}
