// Counts the bytes of every verified file the worker writes (music_bytes_stored_total), from the
// results of the activities that store files. An interceptor rather than a line in each activity:
// the record every storing activity returns already carries the file's kind and size, and the
// storage code stays free of metrics whatever backend it writes to.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { MusicMetrics } from '../metrics/musicMetrics';

/** The activities that write a file, and the kind counted when their result does not name one. */
const STORING_ACTIVITIES: Record<string, string> = {
  storeDownload: 'download',
  writeTimedLyrics: 'lrc',
  writeTextArtifact: 'text',
  tagTrack: 'tagged-audio',
  normalizeLoudness: 'mastered-audio',
  writeAlbumManifest: 'album-json',
  writePlaylist: 'playlist',
  writeAlbumCover: 'cover',
};

export function storedBytesInterceptor(metrics: MusicMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        const fallbackKind = STORING_ACTIVITIES[ctx.info.activityType];
        if (fallbackKind !== undefined && isStoredFile(result) && (result as { rewritten?: boolean }).rewritten !== false) {
          metrics.bytesStored(typeof result.kind === 'string' ? result.kind : fallbackKind, result.bytes);
        }
        // A single's tags are written in place: only a file actually rewritten counts.
        if (ctx.info.activityType === 'tagSong' && isTagged(result) && result.retagged) metrics.bytesStored('tagged-audio', result.song.bytes);
        return result;
      },
    },
  });
}

function isTagged(value: unknown): value is { retagged: boolean; song: { bytes: number } } {
  return typeof value === 'object' && value !== null && typeof (value as { retagged?: unknown }).retagged === 'boolean' && typeof (value as { song?: { bytes?: unknown } }).song?.bytes === 'number';
}

function isStoredFile(value: unknown): value is { kind?: unknown; bytes: number } {
  return typeof value === 'object' && value !== null && typeof (value as { bytes?: unknown }).bytes === 'number';
}
