// Messages an album workflow answers; per-step detail of a track comes from its own child run.
import { defineQuery } from '@temporalio/workflow';
import type { AttentionAnswer, AttentionItem } from './attentionMessages';

export interface TrackProgress {
  number: number;
  title: string;
  /** The child songPipeline run: query its `progress` for the step it is on. */
  workflowId: string;
  state: 'queued' | 'lyrics' | 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped';
  attempts: number;
  error?: string;
  /** Succeeded by reusing every step an earlier run left intact: the row says `reused`, not `done`. */
  reused?: boolean;
}

export interface AlbumProgress {
  state: 'running' | 'succeeded' | 'partial' | 'failed';
  tracks: TrackProgress[];
  /** Credits of the provider tasks the album ran, once it has finished. */
  creditsSpent?: number;
  /** The album's own steps (lyrics) waiting for an operator (`npm run resolve`). */
  needsAttention?: AttentionItem[];
  /** The run's answers to the newest `resolve` signals, by the sender's request id. */
  attentionAnswers?: AttentionAnswer[];
}

/** Same name as the song pipeline's query: `progress` answers for any run. */
export const albumProgressQuery = defineQuery<AlbumProgress>('progress');
