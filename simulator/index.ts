// A local Suno-compatible provider: the default when no API key is configured, and the peer of
// the integration tests. It speaks the AnyInt, aimusicapi, newapi, acedata and cqt dialects on one
// port, renders real (tiny) media with ffmpeg and pushes webhooks, all deterministically from a seed.

import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPath, ffprobePath } from '../runtime/ffmpeg';
import { makeFolder } from '../runtime/makeFolder';
import { CallbackSender } from './callbackSender';
import type { SimulatorContext } from './context';
import { resolveDialectOptions, type DialectOptions } from './dialects';
import { FaultPlan } from './faults';
import { ledgerEntryFor, type LedgerEntry } from './ledger';
import { MediaLibrary } from './media';
import { resolveOptions, type SimulatorOptions } from './options';
import { buildServer } from './server';
import type { TaskContent } from './taskContent';
import { JOURNAL_FILE_NAME, TaskJournal } from './taskJournal';
import { TaskStore } from './taskStore';

export type { LedgerEntry } from './ledger';
export type { SimulatorOptions, ErrorStatusMode } from './options';
export { DEFAULT_STAGE_DELAYS_MS } from './options';
export type { StageDelaysMs } from './taskStore';
export type { CallbackDeliveryOptions } from './callbackSender';
export type { FaultOptions, FaultRule, RandomFaults, CallbackFaults, FaultCounts } from './faults';
export { FaultPlan, REQUEST_FAULTS, ERROR_FAULTS, EXCHANGE_FAULTS, CALLBACK_FAULTS } from './faults';
export type { DialectOptions } from './dialects';

export interface RunningSimulator {
  /** Base URL of the API, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /**
   * Every accepted (paid) submit, in order; live - it grows as submits arrive. With a stateDir it
   * covers the state dir's whole lifetime, earlier runs included.
   */
  ledger: LedgerEntry[];
  /** Where media files are written. */
  mediaDir: string;
  /** Faults to inject from now on, and what was injected so far. */
  faults: FaultPlan;
  /** Stops timers and webhook retries, closes the server; removes the media dir if it was temporary. */
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions & DialectOptions = {}): Promise<RunningSimulator> {
  const settings = resolveOptions(options);
  const dialectOptions = resolveDialectOptions(options);
  const { log } = settings;
  warnIfMediaToolsMissing(log);

  const ownsMediaDir = settings.mediaDir === undefined;
  const mediaDir = settings.mediaDir ?? (await mkdtemp(join(tmpdir(), 'music-simulator-')));
  await makeFolder(mediaDir);

  const media = new MediaLibrary(mediaDir, settings.clipSeconds);
  const journal = settings.stateDir === undefined ? undefined : await openJournal(settings.stateDir, log);
  const store = new TaskStore<TaskContent>(settings.seed, { persist: journal && ((task) => journal.append(task)) });
  const ledger: LedgerEntry[] = [];
  if (journal) {
    for (const saved of journal.load()) ledger.push(ledgerEntryFor(store.restore(saved)));
    if (ledger.length > 0) log(`restored ${ledger.length} task(s) from ${journal.file}`);
  }
  const faults = new FaultPlan(settings.seed, settings.faults);
  const callbacks = new CallbackSender(settings.callbackDelivery, log, faults);
  // Known only once the port is bound, unless configured.
  let publicUrl = settings.publicUrl ?? '';
  const context: SimulatorContext = {
    options: settings,
    store,
    media,
    callbacks,
    ledger,
    faults,
    mediaUrl: (name) => `${publicUrl}/media/${encodeURIComponent(name)}`,
    log,
  };

  const app = await buildServer(context, dialectOptions);
  const shutdown = async () => {
    store.close();
    faults.close();
    await callbacks.close();
    await app.close();
    await media.settle();
    if (ownsMediaDir) await rm(mediaDir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await shutdown();
    throw error;
  }

  const url = listeningUrl(settings.host, app.server.address() as AddressInfo);
  if (!publicUrl) publicUrl = url;
  const tasksIn = journal ? `, tasks in ${journal.file}` : '';
  log(`simulator listening on ${url} (seed ${JSON.stringify(settings.seed)}, media in ${mediaDir}${tasksIn})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    ledger,
    mediaDir,
    faults,
    close: () => (closing ??= shutdown()),
  };
}

async function openJournal(stateDir: string, log: (line: string) => void): Promise<TaskJournal> {
  await makeFolder(stateDir);
  return new TaskJournal(join(stateDir, JOURNAL_FILE_NAME), log);
}

/** A URL clients can actually connect to, even when listening on every interface. */
function listeningUrl(host: string, address: AddressInfo): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${address.port}`;
}

// Missing ffmpeg is not fatal (tasks then fail as a provider's failed generation would), but the
// operator should learn why from the first line of the log, not from a failed song later.
function warnIfMediaToolsMissing(log: (line: string) => void): void {
  for (const locate of [ffmpegPath, ffprobePath]) {
    try {
      locate();
    } catch (error) {
      log(`warning: ${error instanceof Error ? error.message : String(error)} Song tasks will fail.`);
    }
  }
}
