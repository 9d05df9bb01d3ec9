// The plumbing every simulator test needs to talk to the simulator over real HTTP, kept in one place
// so the dialect tests differ only in what they assert: a simulator started with a test's key, clip
// length and stage delays; a webhook receiver; authorized JSON requests; polling until a state is
// reached; and downloads saved to disk, so ffprobe can say whether the media really decodes.

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { probeMedia, runFfmpeg } from '../../runtime/ffmpeg';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/index';

/** The AnyInt envelope, for tests that want its fields typed. */
export interface Envelope<T = any> {
  code: number;
  msg: string;
  data: T;
}

export interface ReceivedCallback {
  path: string;
  body: any;
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * A bare webhook receiver: records every POST and answers 200. The answer body is a parameter
 * because the simulator must not care what a receiver says back, and the tests exercise both forms.
 */
export async function startReceiver(
  answer = '{"ok":true}',
): Promise<{ url: string; received: ReceivedCallback[]; close(): Promise<void> }> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  // Port 0, so parallel test files never collide.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets from the simulator would otherwise hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SimulatorHttpSettings {
  apiKey: string;
  clipSeconds: number;
  /** Short, so a test runs in about a second, yet wide enough for a poll to land in every stage. */
  stageDelaysMs: NonNullable<SimulatorOptions['stageDelaysMs']>;
}

/**
 * Binds the helpers to one test file's key and timings. `B` is the type a JSON answer is read as:
 * the AnyInt tests read the envelope typed, the other dialects read it loosely.
 */
export function simulatorHttp<B = any>(settings: SimulatorHttpSettings) {
  const auth: Record<string, string> = { authorization: `Bearer ${settings.apiKey}`, 'content-type': 'application/json' };

  return {
    auth,

    /** Starts a simulator (on an ephemeral port) with this file's key, clip length and stage delays. */
    start(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
      return startSimulator({
        apiKey: settings.apiKey,
        stageDelaysMs: settings.stageDelaysMs,
        clipSeconds: settings.clipSeconds,
        ...options,
      });
    },

    async post(simulator: RunningSimulator, path: string, body: unknown, headers: Record<string, string> = auth) {
      const response = await fetch(`${simulator.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as B };
    },

    async get(simulator: RunningSimulator, path: string, headers: Record<string, string> = auth) {
      const response = await fetch(`${simulator.url}${path}`, { headers });
      return { status: response.status, body: (await response.json()) as B };
    },
  };
}

/**
 * A poller: calls `probe` until it returns something other than undefined. The timeout is a
 * parameter because the files differ in how much work one wait covers (a stage, or a whole song).
 */
export function waitForWith(timeoutMs: number, intervalMs = 15) {
  return async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
}

/** Fetches a media URL, which must answer 200. */
export async function download(url: string): Promise<{ bytes: Buffer; contentType: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

/** Downloads to `file`, since ffmpeg and ffprobe read files, not buffers. */
export async function downloadTo(url: string, file: string): Promise<{ file: string; bytes: Buffer; contentType: string | null }> {
  const { bytes, contentType } = await download(url);
  await writeFile(file, bytes);
  return { file, bytes, contentType };
}

/** Downloads to `file` and probes it: a file ffprobe cannot read is not media, whatever its headers say. */
export async function downloadMedia(url: string, file: string) {
  const saved = await downloadTo(url, file);
  return { ...saved, probe: await probeMedia(file) };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Decoded samples of a media file (interleaved stereo float, 44.1 kHz), as any player would hear them. */
export async function decodePcm(file: string): Promise<Float32Array> {
  const out = `${file}.f32`;
  await runFfmpeg(['-i', file, '-f', 'f32le', '-ac', '2', '-ar', '44100', '-y', out]);
  const bytes = await readFile(out);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** Seconds of decoded stereo audio. */
export function pcmSeconds(pcm: Float32Array): number {
  return pcm.length / 2 / 44_100;
}

/** Samples [from, to) seconds of decoded stereo audio. */
export function pcmWindow(pcm: Float32Array, fromSeconds: number, toSeconds: number): Float32Array {
  const frame = (seconds: number) => Math.max(0, Math.min(pcm.length / 2, Math.round(seconds * 44_100)));
  return pcm.subarray(frame(fromSeconds) * 2, frame(toSeconds) * 2);
}

/** RMS of (actual - expected) relative to the RMS of expected, over their common length. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  const length = Math.min(actual.length, expected.length);
  let difference = 0;
  let signal = 0;
  for (let i = 0; i < length; i++) {
    difference += (actual[i]! - expected[i]!) ** 2;
    signal += expected[i]! ** 2;
  }
  expect(signal).toBeGreaterThan(0);
  return Math.sqrt(difference / signal);
}
