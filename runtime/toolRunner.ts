// Runs ffmpeg and ffprobe from a small helper process (runtime/toolProcess.mjs) rather than from the
// worker itself. Starting a process from Node forks the whole parent first, on its event loop: from a
// worker holding a thousand runs (over 1 GiB resident) each start took about 50 ms of the one thread
// that also feeds the SDK's pollers, 16 s of 107 s in a CPU profile of 300 songs (each download is
// probed, each song tagged and probed again). Forked from a process of a few dozen MiB, the same start
// costs the worker one message. The helper is started on first use and again after it dies.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the helper is asked (its shapes, kept in step with toolProcess.mjs). */
export interface ToolRequest {
  id: number;
  binary: string;
  args: string[];
  stdin?: Uint8Array;
}

export interface ToolReply {
  id: number;
  /** The tool could not be started (no such file, not executable...). */
  startError?: string;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  stdout?: Uint8Array;
  stderr?: Uint8Array;
}

export interface ToolOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

const HELPER_PATH = fileURLToPath(new URL('./toolProcess.mjs', import.meta.url));

interface Pending {
  binary: string;
  resolve(outcome: ToolOutcome): void;
  reject(error: Error): void;
}

let helper: ChildProcess | undefined;
const pending = new Map<number, Pending>();
let nextId = 1;

function startHelper(): ChildProcess {
  // Buffers cross the channel as they are (structured clone), not as JSON.
  const child = fork(HELPER_PATH, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (reply: ToolReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    idleUnlessBusy(child);
    if (reply.startError !== undefined) waiting.reject(new Error(`cannot start ${waiting.binary}: ${reply.startError}`));
    else waiting.resolve({ code: reply.code ?? null, signal: reply.signal ?? null, stdout: Buffer.from(reply.stdout ?? []), stderr: Buffer.from(reply.stderr ?? []) });
  });
  const lost = (why: string) => {
    if (helper === child) helper = undefined;
    // Every tool run it had is lost with it: each caller gets an error (the activity retries).
    for (const [id, waiting] of pending) {
      pending.delete(id);
      waiting.reject(new Error(`the helper running ${waiting.binary} ${why}`));
    }
  };
  child.on('exit', (code, signal) => lost(`exited (${code ?? signal})`));
  child.on('error', (error) => lost(`failed: ${error.message}`));
  idleUnlessBusy(child);
  return child;
}

/** The helper keeps the worker alive only while a tool runs: a finished worker exits as before. */
function idleUnlessBusy(child: ChildProcess): void {
  const busy = pending.size > 0;
  if (busy) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

/** Runs `binary` with `args` (and `stdin`) in the helper; resolves with how it exited and what it printed. */
export function runInToolProcess(binary: string, args: string[], stdin?: Uint8Array): Promise<ToolOutcome> {
  return new Promise((resolve, reject) => {
    const child = helper?.connected ? helper : (helper = startHelper());
    const id = nextId++;
    pending.set(id, { binary, resolve, reject });
    idleUnlessBusy(child);
    const request: ToolRequest = { id, binary, args, ...(stdin ? { stdin } : {}) };
    child.send(request, (error) => {
      if (!error || !pending.has(id)) return;
      pending.delete(id);
      idleUnlessBusy(child);
      reject(new Error(`cannot hand ${binary} to its helper: ${error.message}`));
    });
  });
}
