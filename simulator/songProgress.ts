// Which parts of a song task exist at a given stage, with the URLs of its rendered media.
// Shared by every dialect: they differ in wire shapes, not in what a stage means.

import type { MediaLibrary } from './media';
import type { SongClip, SongContent } from './taskContent';
import { stageIsAtLeast, type StageName } from './taskStore';

export interface ClipProgress {
  clip: SongClip;
  /** Present once the clip's audio is finished. */
  audio?: { url: string; durationSeconds: number };
  /** Present from the text stage on (covers are cheap and come before audio). */
  imageUrl?: string;
}

export interface SongProgress {
  stage: StageName | undefined;
  /** Empty while pending: nothing has been generated yet. */
  clips: ClipProgress[];
  /** Set when rendering failed: the task is then a failed generation, as a provider would report. */
  failure?: string;
}

/** Clip 0 finishes at the 'first' stage, every clip at 'complete'. */
function audioReadyAt(stage: StageName | undefined, clipIndex: number): boolean {
  return stageIsAtLeast(stage, 'complete') || (clipIndex === 0 && stageIsAtLeast(stage, 'first'));
}

/**
 * Starts rendering every clip's media right after submit, in the order the stages reveal them
 * (covers, then clip 0's audio, then the rest), so that by the time a stage is due its files are
 * normally ready and queries do not wait for ffmpeg. Rendering everything at once would make the
 * early files late.
 */
export function prepareSongMedia(content: SongContent, media: MediaLibrary, log: (line: string) => void): void {
  const renderInOrder = async () => {
    await Promise.all(content.clips.map((clip) => media.imageFor(clip.id)));
    for (const clip of content.clips) await media.audioFor(clip);
  };
  // A failure here is reported to clients by songProgressAt, which asks again.
  renderInOrder().catch((error: unknown) => {
    const clipIds = content.clips.map((clip) => clip.id).join(', ');
    log(`render for clips ${clipIds} failed: ${String(error)}`);
  });
}

export async function songProgressAt(
  content: SongContent,
  stage: StageName | undefined,
  media: MediaLibrary,
  mediaUrl: (name: string) => string,
): Promise<SongProgress> {
  if (stage === undefined) return { stage, clips: [] };
  try {
    const clips = await Promise.all(
      content.clips.map(async (clip, index): Promise<ClipProgress> => {
        const image = await media.imageFor(clip.id);
        const progress: ClipProgress = { clip, imageUrl: mediaUrl(image.name) };
        if (audioReadyAt(stage, index)) {
          const audio = await media.audioFor(clip);
          progress.audio = { url: mediaUrl(audio.name), durationSeconds: audio.durationSeconds };
        }
        return progress;
      }),
    );
    return { stage, clips };
  } catch (error) {
    return {
      stage,
      clips: content.clips.map((clip) => ({ clip })),
      failure: error instanceof Error ? error.message : String(error),
    };
  }
}
