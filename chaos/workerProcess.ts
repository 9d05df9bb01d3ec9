// The project's worker (`npm run worker`, scripts/worker.ts) as a separate OS process, so a fault test
// or the chaos script can kill it the way a crash or an OOM killer would: SIGKILL, no shutdown hooks,
// heartbeats and in-flight requests cut mid-way. Anything less (worker.shutdown() in-process) would
// let the SDK finish cleanly and prove nothing about lost answers.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../runtime/projectPaths';

export interface WorkerProcessOptions {
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  taskQueue: string;
  /** Where providers without an API key are reached (the simulator). */
  simulatorUrl: string;
  /** Base URL the providers' webhooks are sent to (the callback endpoint). */
  callbackPublicUrl: string;
  /** Must match the callback endpoint's secret, or every webhook is refused as forged. */
  callbackSecret: string;
  /** Extra variables, applied last (undefined removes one inherited from this process). */
  env?: Record<string, string | undefined>;
  /** Each line the worker writes to stderr; by default its output is discarded. */
  onStderrLine?: (line: string) => void;
  /** Each line the worker writes to stdout. */
  onStdoutLine?: (line: string) => void;
  /** A warm spare: its code loaded, connecting and polling only once activate() is called. */
  standby?: boolean;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  readonly pid: number | undefined;
  /** Resolves when the process has ended, however it ended (a worker that exits on its own is a finding). */
  readonly exited: Promise<WorkerExit>;
  /** Resolves once the worker polls its task queue (never, if it ends first). */
  readonly ready: Promise<void>;
  /** A spare: starts polling as soon as it stands by (at once if it already does). Others poll anyway. */
  activate(): Promise<void>;
  /** True until the process has ended. */
  isRunning(): boolean;
  /** SIGKILL, then waits for the exit, so the next worker never overlaps with this one. */
  kill(): Promise<WorkerExit>;
}

export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const root = projectRoot();
  // Node with tsx as a loader, in one process: neither `npx tsx` nor tsx's cli will do, because both
  // run the script in a child process, so a SIGKILL would hit the wrapper and leave the real worker
  // running as an orphan (which then goes on working: no kill at all, and a stray worker later).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/worker.ts')], {
    cwd: root,
    env: withOverrides(process.env, {
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      SIMULATOR_URL: options.simulatorUrl,
      CALLBACK_PUBLIC_URL: options.callbackPublicUrl,
      CALLBACK_SECRET: options.callbackSecret,
      // If this process dies without killing the worker (a crashed test, Ctrl-C), the worker ends too.
      WORKER_EXIT_WITH_PID: String(process.pid),
      WORKER_STANDBY: options.standby ? '1' : undefined,
      ...options.env,
    }),
    // A spare starts polling at a line on its stdin.
    stdio: [options.standby ? 'pipe' : 'ignore', 'pipe', options.onStderrLine ? 'pipe' : 'ignore'],
  });
  // A spare that died before its activation line: the write fails, and it is already reported as exited.
  child.stdin?.on('error', () => {});
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let markStandingBy: () => void = () => {};
  const standingBy = new Promise<void>((resolve) => (markStandingBy = resolve));
  // scripts/worker.ts says so on stdout once its worker is created (and standing by), then polling.
  if (child.stdout) {
    forwardLines(child.stdout, (line) => {
      if (line.startsWith('worker standing by')) markStandingBy();
      if (line.startsWith('worker polling task queue')) markReady();
      options.onStdoutLine?.(line);
    });
  }
  if (options.onStderrLine && child.stderr) forwardLines(child.stderr, options.onStderrLine);

  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure emits 'error' and possibly no 'exit'; report it as an exit so nobody waits forever.
    child.once('error', () => resolve({ code: child.exitCode, signal: child.signalCode }));
  });

  return {
    pid: child.pid,
    exited,
    ready,
    activate: async () => {
      if (!options.standby) return;
      await Promise.race([standingBy, exited]);
      if (isRunning(child)) child.stdin?.write('poll\n');
    },
    isRunning: () => isRunning(child),
    kill: async () => {
      if (isRunning(child)) child.kill('SIGKILL');
      return exited;
    },
  };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function withOverrides(base: NodeJS.ProcessEnv, overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Chunks from a pipe split anywhere; the callback wants whole lines, the last one too (a dying process's last words). */
function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  stream.on('end', () => {
    if (partial.trim()) onLine(partial);
    partial = '';
  });
}
