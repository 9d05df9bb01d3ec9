// The small album the real-process fault tests make: three tracks of lyrics, song and WAV on anyint,
// with webhooks on, so a fault can land on every kind of step while the album stays quick.
import path from 'node:path';
import type { AlbumPipelineInput } from '../../contracts/albumPipeline';

export function threeTrackFaultAlbum(albumId: string, title: string, outRoot: string): AlbumPipelineInput {
  const outDir = path.join(outRoot, albumId);
  const label = title.split(' ')[0]?.toLowerCase() ?? albumId;
  return {
    albumId,
    title,
    artist: 'Chaos',
    provider: 'anyint',
    outDir,
    persona: { strategy: 'none' },
    concurrency: 2,
    failurePolicy: { mode: 'skip' },
    callbacks: true,
    tracks: [1, 2, 3].map((n) => ({
      number: n,
      title: `Track ${n}`,
      request: { prompt: `${label} track ${n}`, instrumental: false, style: 'rock' },
      steps: ['lyrics', 'song', 'wav'],
      outDir: path.join(outDir, `0${n}`),
      fileStem: `0${n} - Track ${n}`,
    })),
  };
}
