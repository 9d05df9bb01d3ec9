// Which run and step paid for each submit the provider accepted. The provider's ledger knows only
// routes, bodies and task ids; our callback URL in each body ends with a signed token that names the
// workflow and the step, so "never pay twice" becomes checkable: no `<workflowId>/<stepId>` may
// appear twice. A real provider's billing export could be read the same way.
import { createHash } from 'node:crypto';
import type { LedgerEntry } from '../simulator';
import { canonicalJson } from '../simulator/deterministic';
import { verifyCallbackToken } from '../callbacks/callbackToken';

/** The part of a ledger entry this needs: the simulator's ledger, or any record of accepted submits. */
export type PaidSubmit = Pick<LedgerEntry, 'route' | 'taskId' | 'receivedAt' | 'body'>;

/**
 * The callback URL inside a submit body. Each dialect names the field its own way (`callBackUrl`,
 * `callback_url`, `notify_hook`, ...), so rather than keep a list that goes stale with the next
 * dialect, any top-level string that points at our endpoint's route counts.
 */
export function callbackUrlOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  for (const value of Object.values(body)) {
    if (typeof value === 'string' && value.includes('/callbacks/')) return value;
  }
  return undefined;
}

/**
 * `<workflowId>/<stepId>` for a submit made by one of our runs, or undefined when its body carries no
 * token signed with `secret` (callbacks off, or another system's submit).
 */
export function paidStepOf(entry: PaidSubmit, secret: string): string | undefined {
  const url = callbackUrlOf(entry.body);
  if (url === undefined) return undefined;
  const token = url.slice(url.lastIndexOf('/') + 1);
  // Checked as of the submit: the token was valid when it was paid for, however long ago that was
  // (a chaos run or a restored ledger may be read after the token expired).
  const check = verifyCallbackToken(secret, token, new Date(entry.receivedAt));
  return check.ok ? `${check.claims.workflowId}/${check.claims.stepId}` : undefined;
}

/** One name per paid submit, in ledger order; unsigned ones as `unsigned <route>`, so they still count. */
export function namePaidSubmits(ledger: readonly PaidSubmit[], secret: string): string[] {
  return ledger.map((entry) => paidStepOf(entry, secret) ?? `unsigned ${entry.route}`);
}

/**
 * The steps paid for more than once, each named once. Unsigned submits cannot be attributed to a
 * step, so they are left out here rather than reported as false duplicates of each other.
 */
export function paidMoreThanOnce(ledger: readonly PaidSubmit[], secret: string): string[] {
  const counts = new Map<string, number>();
  for (const entry of ledger) {
    const step = paidStepOf(entry, secret);
    if (step !== undefined) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([step]) => step);
}

/**
 * The provider's task for a run's step, as an operator would find it in the provider's records. A
 * step can have been paid for more than once under the same name: an album tries a track again in
 * a fresh run with the same workflow id, and each attempt signs its submits alike. The submit whose
 * answer the current run lost is the newest one made since that run started (`since`); an earlier
 * attempt's task would settle this step with work the current run never asked for.
 */
export function findPaidSubmit(ledger: readonly PaidSubmit[], secret: string, workflowId: string, stepId: string, since?: Date): PaidSubmit | undefined {
  const wanted = `${workflowId}/${stepId}`;
  return newest(ledger.filter((entry) => paidStepOf(entry, secret) === wanted && madeSince(entry, since)));
}

function madeSince(entry: PaidSubmit, since: Date | undefined): boolean {
  return since === undefined || Date.parse(entry.receivedAt) >= since.getTime();
}

/** The newest entry by the time the provider accepted it; among equal times the later in the ledger. */
function newest(entries: readonly PaidSubmit[]): PaidSubmit | undefined {
  let best: PaidSubmit | undefined;
  for (const entry of entries) if (best === undefined || Date.parse(entry.receivedAt) >= Date.parse(best.receivedAt)) best = entry;
  return best;
}

/**
 * A request that carried no signed callback URL, found by what it worked on: routes that answer in
 * the submit itself (persona, timed lyrics) name the song task they work on (`taskId` in the body),
 * and a run knows its song's task id. `route` tells the step's kind apart (a persona and timed
 * lyrics of the same clip share the source). The newest match since `since`, as findPaidSubmit.
 */
export function findUnsignedSubmit(ledger: readonly PaidSubmit[], secret: string, match: { route: RegExp; sourceTaskIds: ReadonlySet<string>; since?: Date }): PaidSubmit | undefined {
  return newest(
    ledger.filter((entry) => {
      if (!match.route.test(entry.route) || paidStepOf(entry, secret) !== undefined || !madeSince(entry, match.since)) return false;
      const source = typeof entry.body === 'object' && entry.body !== null ? (entry.body as Record<string, unknown>).taskId : undefined;
      return typeof source === 'string' && match.sourceTaskIds.has(source);
    }),
  );
}

/** How an unsigned request is named in the report: route and a digest of its body. */
export function unsignedNameOf(entry: PaidSubmit): string {
  return `unsigned ${entry.route} ${createHash('sha256').update(canonicalJson(entry.body)).digest('hex').slice(0, 12)}`;
}

/**
 * Requests without a signed callback URL that the provider accepted more than once with the same
 * route and body. Those routes answer in the submit itself (persona, timestamped lyrics, style), so a
 * lost answer can only be had by asking again, which the provider charges again: the same request
 * twice is a second payment even though no step can be named. Each is named once, as
 * `unsigned <route> <digest of the body>`.
 */
export function unsignedRepeats(ledger: readonly PaidSubmit[], secret: string): string[] {
  return [...unsignedCounts(ledger, secret)].filter(([, n]) => n > 1).map(([name]) => name);
}

function unsignedCounts(ledger: readonly PaidSubmit[], secret: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of ledger) {
    if (paidStepOf(entry, secret) !== undefined) continue;
    const name = unsignedNameOf(entry);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/**
 * Splits unsigned repeats into those an operator bought again knowingly (`rebought`: one name per
 * resubmit of an answer that was lost and that the provider keeps no record of) and any other.
 * Only the second kind is a fault of ours: each knowing resubmit excuses one repeat of its request,
 * never more.
 */
export function judgeUnsignedRepeats(ledger: readonly PaidSubmit[], secret: string, rebought: readonly string[]): { knowinglyRebought: string[]; unexplained: string[] } {
  const excused = new Map<string, number>();
  for (const name of rebought) excused.set(name, (excused.get(name) ?? 0) + 1);
  const knowinglyRebought: string[] = [];
  const unexplained: string[] = [];
  for (const [name, n] of unsignedCounts(ledger, secret)) {
    const extra = n - 1;
    if (extra <= 0) continue;
    const allowed = Math.min(extra, excused.get(name) ?? 0);
    for (let i = 0; i < allowed; i++) knowinglyRebought.push(name);
    if (extra > allowed) unexplained.push(name);
  }
  return { knowinglyRebought, unexplained };
}
