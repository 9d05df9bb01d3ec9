// Simulator configuration: what callers may set, and the defaults that make the simulator a
// believable (if much faster) stand-in for a real provider.

import { join } from 'node:path';
import { DEFAULT_CALLBACK_DELIVERY, type CallbackDeliveryOptions } from './callbackSender';
import type { FaultOptions } from './faults';
import type { StageDelaysMs } from './taskStore';

/**
 * How error envelopes travel. 'mirror' (default): the HTTP status equals the envelope's `code`
 * (400, 401, 413, ...), so failures are visible to any HTTP tool. 'always-200': HTTP 200 with
 * the error only in the envelope, as some gateways of this family answer; useful to prove a
 * client reads the envelope and not just the status.
 */
export type ErrorStatusMode = 'mirror' | 'always-200';

export interface SimulatorOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Bearer token required on every API route. Default 'sim-key'. */
  apiKey?: string;
  /** Delay from submit to each stage. Default { text: 1000, first: 2000, complete: 3000 }. */
  stageDelaysMs?: Partial<StageDelaysMs>;
  /** Length of each generated clip. Default 12. */
  clipSeconds?: number;
  /** Ids and media are functions of the seed and the requests (not their order or timing). Default 'sim'. */
  seed?: string;
  /**
   * Keep accepted tasks (and so the ledger) in `<stateDir>/tasks.jsonl` and load them on start,
   * so task ids handed out before a restart still answer. Default: tasks live in memory only.
   */
  stateDir?: string;
  /**
   * Where rendered media is cached. Default: `<stateDir>/media` (kept) when stateDir is set,
   * otherwise a fresh temporary directory, removed on close.
   */
  mediaDir?: string;
  /** Base of media links in responses. Default: the listening URL. */
  publicUrl?: string;
  /** Push webhooks to callBackUrl. Default true. */
  sendCallbacks?: boolean;
  /** Webhook retry policy. Default 3 attempts, 1 s apart, 15 s timeout. */
  callbackDelivery?: Partial<CallbackDeliveryOptions>;
  /** Default 'mirror'. */
  errorStatus?: ErrorStatusMode;
  /** Faults to inject: scripted, random (seeded) and on webhooks. Default: none. */
  faults?: FaultOptions;
  /** Receives one line per notable event (submits, callback outcomes, render failures). */
  log?: (line: string) => void;
}

export interface ResolvedSimulatorOptions {
  host: string;
  port: number;
  apiKey: string;
  stageDelaysMs: StageDelaysMs;
  clipSeconds: number;
  seed: string;
  stateDir: string | undefined;
  /** Undefined only without stateDir: the simulator then makes (and owns) a temporary one. */
  mediaDir: string | undefined;
  publicUrl: string | undefined;
  sendCallbacks: boolean;
  callbackDelivery: CallbackDeliveryOptions;
  errorStatus: ErrorStatusMode;
  faults: FaultOptions;
  log: (line: string) => void;
}

export const DEFAULT_STAGE_DELAYS_MS: StageDelaysMs = { text: 1000, first: 2000, complete: 3000 };

export function resolveOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const stageDelaysMs = { ...DEFAULT_STAGE_DELAYS_MS, ...definedOnly(options.stageDelaysMs ?? {}) };
  const { text, first, complete } = stageDelaysMs;
  if (![text, first, complete].every((delay) => Number.isFinite(delay) && delay >= 0)) {
    throw new Error(`stageDelaysMs must be non-negative numbers, got ${JSON.stringify(stageDelaysMs)}`);
  }
  if (!(text <= first && first <= complete)) {
    throw new Error(`stageDelaysMs must satisfy text <= first <= complete, got ${text}, ${first}, ${complete}`);
  }
  const clipSeconds = options.clipSeconds ?? 12;
  if (!Number.isFinite(clipSeconds) || clipSeconds <= 0 || clipSeconds > 600) {
    throw new Error(`clipSeconds must be between 0 and 600, got ${clipSeconds}`);
  }
  const callbackDelivery = { ...DEFAULT_CALLBACK_DELIVERY, ...definedOnly(options.callbackDelivery ?? {}) };
  if (!Number.isInteger(callbackDelivery.attempts) || callbackDelivery.attempts < 1) {
    throw new Error(`callbackDelivery.attempts must be a positive integer, got ${callbackDelivery.attempts}`);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    apiKey: options.apiKey ?? 'sim-key',
    stageDelaysMs,
    clipSeconds,
    seed: options.seed ?? 'sim',
    stateDir: options.stateDir,
    // Media of restored tasks is re-rendered on demand, but keeping it next to the tasks spares
    // ffmpeg runs and keeps links handed out before a restart working without a query first.
    mediaDir: options.mediaDir ?? (options.stateDir === undefined ? undefined : join(options.stateDir, 'media')),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    sendCallbacks: options.sendCallbacks ?? true,
    callbackDelivery,
    errorStatus: options.errorStatus ?? 'mirror',
    faults: options.faults ?? {},
    log: options.log ?? (() => {}),
  };
}

// `{ text: undefined }` from a caller must not erase the default.
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
