// Locating and running ffmpeg/ffprobe. The simulator renders media with them and the worker
// verifies downloads with them, so both need one answer to "which binary?" and errors that
// tell an operator what to do.

import { accessSync, chmodSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { runInToolProcess } from './toolRunner';

interface ToolSpec {
  name: 'ffmpeg' | 'ffprobe';
  envVar: string;
  npmPackage: string;
}

const FFMPEG: ToolSpec = { name: 'ffmpeg', envVar: 'FFMPEG_PATH', npmPackage: '@ffmpeg-installer/linux-x64' };
const FFPROBE: ToolSpec = { name: 'ffprobe', envVar: 'FFPROBE_PATH', npmPackage: '@ffprobe-installer/linux-x64' };

const resolved = new Map<string, string>();

export function ffmpegPath(): string {
  return toolPath(FFMPEG);
}

export function ffprobePath(): string {
  return toolPath(FFPROBE);
}

function toolPath(tool: ToolSpec): string {
  const cached = resolved.get(tool.name);
  if (cached) return cached;
  const found = fromEnvironment(tool) ?? fromNpmPackage(tool) ?? fromSearchPath(tool.name);
  if (!found) {
    throw new Error(
      `${tool.name} not found. Set ${tool.envVar} to an ${tool.name} binary, ` +
        `install the optional npm package ${tool.npmPackage} (npm install), ` +
        `or install ${tool.name} on PATH (e.g. apt-get install ffmpeg).`,
    );
  }
  resolved.set(tool.name, found);
  return found;
}

function fromEnvironment(tool: ToolSpec): string | undefined {
  const configured = process.env[tool.envVar];
  if (!configured) return undefined;
  // An explicit setting that points nowhere is a configuration mistake; falling back silently
  // would hide it.
  if (!isExecutable(configured)) {
    throw new Error(`${tool.envVar}=${configured} is not an executable file`);
  }
  return configured;
}

function fromNpmPackage(tool: ToolSpec): string | undefined {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve(`${tool.npmPackage}/package.json`));
  } catch {
    return undefined; // optional dependency not installed (e.g. another OS)
  }
  const binary = join(packageDir, tool.name);
  if (!existsSync(binary)) return undefined;
  if (!isExecutable(binary)) {
    // npm 11 skips these packages' postinstall `chmod u+x`, so the binary arrives unexecutable.
    try {
      chmodSync(binary, 0o755);
    } catch {
      return undefined;
    }
  }
  return isExecutable(binary) ? binary : undefined;
}

function fromSearchPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface RunOptions {
  /** Bytes written to the tool's stdin (e.g. raw PCM for `-i pipe:0`). */
  stdin?: Uint8Array;
}

/** Runs ffmpeg quietly; rejects with its stderr when it exits non-zero. */
export async function runFfmpeg(args: string[], options: RunOptions = {}): Promise<void> {
  await runTool(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', ...args], options);
}

/** Runs ffprobe and returns what it printed; rejects with its stderr when it exits non-zero. */
export function runFfprobe(args: string[]): Promise<string> {
  return runTool(ffprobePath(), args);
}

export interface MediaStream {
  codecType: string;
  codecName: string;
}

export interface MediaProbe {
  durationSeconds: number;
  streams: MediaStream[];
  formatName: string;
}

/** Reads a media file's container, streams and duration; rejects if ffprobe cannot decode it. */
export async function probeMedia(file: string): Promise<MediaProbe> {
  let output: string;
  try {
    output = await runTool(ffprobePath(), [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      file,
    ]);
  } catch (error) {
    throw new Error(`probeMedia ${file}: ${errorText(error)}`);
  }
  return parseProbeOutput(file, output);
}

function parseProbeOutput(file: string, output: string): MediaProbe {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new Error(`probeMedia ${file}: ffprobe printed something that is not JSON`);
  }
  const root = asRecord(parsed);
  const format = asRecord(root.format);
  const rawStreams = Array.isArray(root.streams) ? root.streams : [];
  const streams = rawStreams.map((raw) => {
    const stream = asRecord(raw);
    return { codecType: String(stream.codec_type ?? ''), codecName: String(stream.codec_name ?? '') };
  });
  if (streams.length === 0) {
    throw new Error(`probeMedia ${file}: no decodable streams (not a media file, or truncated)`);
  }
  const formatName = String(format.format_name ?? '');
  // Still images carry no container duration; 0 is the honest answer for them.
  const durationSeconds = Number(format.duration ?? 0);
  if (!Number.isFinite(durationSeconds)) {
    throw new Error(`probeMedia ${file}: unreadable duration ${String(format.duration)}`);
  }
  return { durationSeconds, streams, formatName };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runTool(binary: string, args: string[], options: RunOptions = {}): Promise<string> {
  // From the helper process: a start from the worker itself would fork the whole worker (toolRunner.ts).
  const { code, signal, stdout, stderr } = await runInToolProcess(binary, args, options.stdin);
  if (code === 0) return stdout.toString('utf8');
  const why = stderr.toString('utf8').trim() || (signal ? `killed by ${signal}` : 'no output');
  throw new Error(`${binary.split(/[\\/]/).pop()} exited with ${code ?? signal}: ${lastLines(why, 5)}`);
}

function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join(' | ');
}
