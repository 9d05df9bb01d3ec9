// Messages a batch workflow answers; each album's detail comes from its own child run.
import { defineQuery } from '@temporalio/workflow';
import type { BatchAlbumSummary } from './batchPipeline';

export interface BatchProgress {
  done: BatchAlbumSummary[];
  running: string[];
  waiting: string[];
}
/** Same name as the album's and the song's query: `progress` answers for any run. */
export const batchProgressQuery = defineQuery<BatchProgress>('progress');
