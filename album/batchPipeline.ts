// A batch of albums: each a child albumPipeline, a bounded number at a time. A batch can be far
// larger than one history should hold, so after each wave the batch continues as a new run carrying
// only what is left and a one-line summary of what is done.
import { continueAsNew, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import { albumPipeline } from './albumPipeline';
import { runBounded } from '../steps/bounded';
import { batchProgressQuery } from '../contracts/batchMessages';
import type { BatchAlbumSummary, BatchPipelineInput } from '../contracts/batchPipeline';
import { albumWorkflowId } from '../contracts/albumPipeline';

/** History events after which the batch starts a fresh run before the next wave. */
const CONTINUE_AFTER_EVENTS = 2_000;

export async function batchPipeline(input: BatchPipelineInput): Promise<BatchAlbumSummary[]> {
  const done = [...(input.done ?? [])];
  const waiting = [...input.albums];
  const running = new Set<string>();
  setHandler(batchProgressQuery, () => ({ done, running: [...running], waiting: waiting.map((a) => a.albumId) }));

  while (waiting.length > 0) {
    const wave = waiting.splice(0, Math.max(1, input.maxAlbums));
    await runBounded(
      wave.map((album) => async () => {
        const workflowId = albumWorkflowId(album.albumId);
        running.add(album.albumId);
        try {
          const result = await executeChild(albumPipeline, { workflowId, args: [album], workflowIdReusePolicy: 'ALLOW_DUPLICATE', staticSummary: `album "${album.title}"` });
          done.push({ albumId: album.albumId, workflowId, status: result.status, creditsSpent: result.creditsSpent, creditsTotal: result.creditsTotal });
        } catch (err) {
          done.push({ albumId: album.albumId, workflowId, status: 'failed', creditsSpent: 0, error: (err as Error).message });
        } finally {
          running.delete(album.albumId);
        }
      }),
      input.maxAlbums,
    );
    if (waiting.length > 0 && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > CONTINUE_AFTER_EVENTS)) {
      await continueAsNew<typeof batchPipeline>({ albums: waiting, maxAlbums: input.maxAlbums, done });
    }
  }
  return done;
}
