// The delivery folder when the artifact store is a bucket (a real S3-compatible server, versitygw):
// the track's song and stems are read from the bucket, the masters, stems and cover are uploaded with
// their sha256, and album.json in the bucket lists them with the hashes of what is really stored.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { createDeliveryActivities } from '../album/delivery/deliveryActivities';
import { deliverySettings } from '../album/delivery/settings';
import { S3ArtifactStore } from '../artifacts/store/s3Store';
import type { AlbumJson } from '../contracts/albumFiles';
import type { TrackManifest } from '../contracts/trackManifest';
import { runFfmpeg, runFfprobe } from '../runtime/ffmpeg';
import { startS3Server, type S3Server } from './helpers/s3Server';

const BUCKET = 'delivery';
const PREFIX = 'runs';
const SECONDS = 8;

let scratch: string;
let outRoot: string;
let s3: S3Server;
let store: S3ArtifactStore;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function getObject(file: string): Promise<{ body: Buffer; metaSha: string | undefined }> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: store.keyFor(file) }));
  return { body: Buffer.from(await object.Body!.transformToByteArray()), metaSha: object.Metadata?.sha256 };
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'delivery-s3-'));
  outRoot = path.join(scratch, 'out');
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  store = new S3ArtifactStore({
    bucket: BUCKET,
    prefix: PREFIX,
    outRoot,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    scratchDir: scratch,
  });
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a delivery folder in a bucket', () => {
  it('reads the track from the bucket and uploads masters, stems and cover that album.json lists with their sha256', async () => {
    const albumDir = path.join(outRoot, 'bucket-album');
    const trackDir = path.join(albumDir, '01-one');
    // The track folder as the song pipeline leaves it in the bucket.
    const made: Record<string, Buffer> = {};
    for (const [name, args] of [
      ['song.mp3', ['-f', 'lavfi', '-i', `sine=frequency=330:duration=${SECONDS}`, '-af', 'tremolo=f=2:d=0.3,volume=20dB', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k']],
      ['vocals.mp3', ['-f', 'lavfi', '-i', `sine=frequency=660:duration=${SECONDS}`, '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k']],
      ['cover.png', ['-f', 'lavfi', '-i', 'color=c=steelblue:s=600x600:d=1', '-frames:v', '1']],
    ] as const) {
      const local = path.join(scratch, name);
      await runFfmpeg([...args, local]);
      made[name] = await readFile(local);
    }
    const stored = { 'song.mp3': 'song.mp3', 'stems/vocals.mp3': 'vocals.mp3', 'cover.png': 'cover.png' } as const;
    for (const [file, from] of Object.entries(stored)) await store.writeBytes(path.join(trackDir, file), made[from]!);
    const manifest: TrackManifest = {
      version: 1,
      title: 'One',
      provider: 'anyint',
      workflowId: 'album-bucket-t01',
      runId: 'run-1',
      request: { prompt: 'a tone', instrumental: true },
      clip: { taskId: 'task-1', clipId: 'clip-1', durationSeconds: SECONDS },
      steps: { song: { state: 'succeeded', taskId: 'task-1', files: Object.keys(stored) } },
      files: Object.entries(stored).map(([file, from]) => ({ file, kind: file === 'song.mp3' ? 'audio' : file === 'cover.png' ? 'cover' : 'stem', sha256: sha(made[from]!), bytes: made[from]!.length })),
    };
    await store.writeBytes(path.join(trackDir, 'track.json'), Buffer.from(JSON.stringify(manifest)));

    const assembly = createAlbumAssemblyActivities(store);
    const delivery = createDeliveryActivities(store);
    const tagged = await assembly.tagTrack({ mp3Path: path.join(trackDir, 'song.mp3'), outPath: path.join(albumDir, '01 - One.mp3'), title: 'One', artist: 'Bucket Band', album: 'Buckets', trackNumber: 1, trackCount: 1, isrc: 'USRC17607839' });
    await assembly.writeAlbumManifest({ albumDir, album: { id: 'bucket-album', title: 'Buckets', artist: 'Bucket Band', provider: 'anyint' }, tracks: [{ number: 1, title: 'One', state: 'succeeded', trackDir, files: [{ path: tagged.path, kind: 'tagged-audio', sha256: tagged.sha256 }] }] });
    const settings = deliverySettings.parse({ format: 'flac' });
    const track = await delivery.deliverTrack({
      albumDir,
      settings,
      number: 1,
      trackCount: 1,
      title: 'One',
      artist: 'Bucket Band',
      album: 'Buckets',
      isrc: 'USRC17607839',
      sourcePath: path.join(trackDir, 'song.mp3'),
      fileStem: '01 - One',
      stems: [{ path: path.join(trackDir, 'stems', 'vocals.mp3'), name: 'vocals' }],
    });
    const cover = await delivery.deliverCover({ albumDir, providerCover: path.join(trackDir, 'cover.png') });
    expect(cover.warning).toBe("cover is 600×600 px, the provider's image (give your own art as release.cover): distributors refuse art under 1000×1000");
    await delivery.recordDelivery({ albumDir, settings, tracks: [track], cover });

    // What the bucket holds: album.json lists each delivery file with the sha256 of its stored bytes.
    const albumJson = JSON.parse((await getObject(path.join(albumDir, 'album.json'))).body.toString('utf8')) as AlbumJson;
    const listed = [...albumJson.tracks[0]!.files, ...albumJson.files].filter((f) => f.kind.startsWith('delivery-'));
    expect(listed.map((f) => f.file).sort()).toEqual(['delivery/01 - One.flac', 'delivery/cover.png', 'delivery/stems/Bucket Band - One - vocals.wav']);
    for (const f of listed) {
      const object = await getObject(path.join(albumDir, f.file));
      expect(sha(object.body)).toBe(f.sha256);
      expect(object.metaSha).toBe(f.sha256);
    }
    // The uploaded master is the FLAC asked for, under the ceiling, with its ISRC.
    const local = path.join(scratch, 'master.flac');
    await writeFile(local, (await getObject(track.master.path)).body);
    const probe = JSON.parse(await runFfprobe(['-v', 'error', '-show_streams', '-show_format', '-of', 'json', local])) as { streams: Record<string, unknown>[]; format: { tags: Record<string, string> } };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '44100', channels: 2, bits_per_raw_sample: '16' });
    expect(probe.format.tags.ISRC).toBe('USRC17607839');
    expect(albumJson.tracks[0]!.delivery!.truePeakDb).toBeLessThanOrEqual(-1);
  }, 180_000);
});
