// The lines a command ends with about money and reuse: what this run paid, what the album has
// cost over all its runs, and, on a rerun, how many files were reused instead of paid for again.
import type { ArtifactRecord } from '../contracts/artifacts';
import type { BatchAlbumSummary } from '../contracts/batchPipeline';
import type { StepProgress } from '../contracts/pipelineMessages';
import type { ProviderName, StepKind } from '../providers/model';
import type { PriceTable } from '../providers/prices';
import { creditsPaid, type StepPrices } from '../steps/paidCredits';

/** One provider's prices as plain numbers. */
export function stepPrices(table: PriceTable, provider: ProviderName): StepPrices {
  const prices: StepPrices = {};
  for (const [kind, price] of Object.entries(table[provider])) if (price) prices[kind as StepKind] = price.credits;
  return prices;
}

/** Credits a single song or pipeline run paid, at the command's price table. */
export function runCredits(steps: readonly StepProgress[], table: PriceTable, provider: ProviderName): number {
  return creditsPaid(steps, stepPrices(table, provider));
}

/** Files of the steps an earlier run had left intact (the run reused them instead of paying again). */
export function reusedFileCount(steps: readonly StepProgress[], artifacts: readonly ArtifactRecord[]): number {
  const reusedTasks = new Set(steps.filter((s) => s.reused && s.taskId).map((s) => s.taskId));
  return artifacts.filter((a) => a.kind !== 'manifest' && a.source && reusedTasks.has(a.source.taskId)).length;
}

/** `credits: 12 paid this run` or, for an album, `credits: 0 paid this run, 55 for the album so far`. */
export function creditsLine(paidThisRun: number, total?: { amount: number; of: string }): string {
  return `credits: ${paidThisRun} paid this run${total !== undefined ? `, ${total.amount} for the ${total.of} so far` : ''}`;
}

/** `reused 6 files, 0 credits paid` on a rerun that found intact files; nothing on a fresh run. */
export function reuseLine(reusedFiles: number, paidThisRun: number): string | undefined {
  if (reusedFiles === 0) return undefined;
  return `reused ${reusedFiles} file${reusedFiles === 1 ? '' : 's'}, ${paidThisRun} credit${paidThisRun === 1 ? '' : 's'} paid`;
}

/** What `npm run batch` ends with: each album's state, folder and credits, and the batch's total. */
export function printBatchResult(workflowId: string, done: readonly BatchAlbumSummary[], albumDirs: ReadonlyMap<string, string>, json: boolean, out: (text: string) => void = (t) => process.stdout.write(t)): void {
  if (done.some((d) => d.status !== 'succeeded')) process.exitCode = 1;
  const albums = done.map((d) => ({ ...d, albumDir: albumDirs.get(d.albumId) }));
  const creditsSpent = done.reduce((n, d) => n + d.creditsSpent, 0);
  const creditsTotal = done.reduce((n, d) => n + (d.creditsTotal ?? d.creditsSpent), 0);
  if (json) {
    out(`${JSON.stringify({ workflowId, creditsSpent, creditsTotal, albums }, null, 2)}\n`);
    return;
  }
  out('\n');
  for (const a of albums) {
    out(`${a.albumId}: ${a.status}, ${creditsLine(a.creditsSpent, a.creditsTotal === undefined ? undefined : { amount: a.creditsTotal, of: 'album' })}${a.error ? ` (${a.error})` : ''}\n`);
    if (a.albumDir) out(`  ${a.albumDir}\n`);
  }
  out(`batch ${creditsLine(creditsSpent, { amount: creditsTotal, of: 'albums' })}\n`);
}
