// What a task working on a finished song makes, independent of any dialect: stems, a WAV, a music
// video or cover art, all rendered from the song's clip by the media library. Dialects decide
// which job a request asks for and how its result travels on their wire.

import type { MediaLibrary } from './media';
import { stemSplit, type Separation, type StemName } from './stemSplits';
import type { SongClip } from './taskContent';

export type PostSongJob =
  | { kind: 'stems'; separation: Separation; clip: SongClip; instrumental: boolean }
  | { kind: 'wav'; clip: SongClip }
  | { kind: 'video'; clip: SongClip }
  /** Cover art belongs to a whole song task; its images are new, not the clips' own covers. */
  | { kind: 'cover-art'; sourceTaskId: string };

export interface StemMedia {
  name: StemName;
  url: string;
  durationSeconds: number;
}

export type PostSongMedia =
  | { kind: 'stems'; stems: StemMedia[]; /** The song the stems came from. */ originUrl: string }
  | { kind: 'wav'; url: string; durationSeconds: number }
  | { kind: 'video'; url: string; durationSeconds: number }
  | { kind: 'cover-art'; imageUrls: string[] };

/** Cover art comes in two styles to choose from, as the family's does. */
export const COVER_ART_VARIANTS = 2;

/** Renders (or finds already rendered) the job's files; rejects when a render fails. */
export async function renderPostSong(
  job: PostSongJob,
  media: MediaLibrary,
  mediaUrl: (name: string) => string,
): Promise<PostSongMedia> {
  switch (job.kind) {
    case 'stems': {
      const clip = job.clip;
      const [song, stems] = await Promise.all([
        media.audioFor(clip),
        Promise.all(
          stemSplit(job.separation, job.instrumental).map(async (split): Promise<StemMedia> => {
            const audio = await media.stemFor(clip, split.parts);
            return { name: split.name, url: mediaUrl(audio.name), durationSeconds: audio.durationSeconds };
          }),
        ),
      ]);
      return { kind: 'stems', stems, originUrl: mediaUrl(song.name) };
    }
    case 'wav': {
      const wav = await media.wavFor(job.clip);
      return { kind: 'wav', url: mediaUrl(wav.name), durationSeconds: wav.durationSeconds };
    }
    case 'video': {
      const video = await media.videoFor(job.clip);
      return { kind: 'video', url: mediaUrl(video.name), durationSeconds: video.durationSeconds };
    }
    case 'cover-art': {
      const variants = Array.from({ length: COVER_ART_VARIANTS }, (_, variant) => media.coverArtFor(job.sourceTaskId, variant));
      return { kind: 'cover-art', imageUrls: (await Promise.all(variants)).map((image) => mediaUrl(image.name)) };
    }
  }
}

/**
 * Starts the renders right after submit, so that by the time the task is due its files are
 * normally ready and queries do not wait for ffmpeg. A failure is only logged here: queries render
 * again and report it as the task's failure.
 */
export function preparePostSong(job: PostSongJob, media: MediaLibrary, log: (line: string) => void): void {
  renderPostSong(job, media, (name) => name).catch((error: unknown) => {
    log(`render for ${job.kind} job failed: ${String(error)}`);
  });
}
