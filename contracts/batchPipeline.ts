// The batch pipeline's input and result: many albums, a bounded number at a time.
import type { AlbumPipelineInput } from './albumPipeline';

export interface BatchAlbumSummary {
  albumId: string;
  workflowId: string;
  status: 'succeeded' | 'partial' | 'failed';
  /** Credits the album's run paid. */
  creditsSpent: number;
  /** Credits paid over every run of the album so far (album.json's record). */
  creditsTotal?: number;
  error?: string;
}

export interface BatchPipelineInput {
  albums: AlbumPipelineInput[];
  maxAlbums: number;
  /** Results of the runs before this one (continue-as-new). */
  done?: BatchAlbumSummary[];
}
