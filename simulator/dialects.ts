// What the aimusicapi, newapi, acedata and cqt dialects share: their extra options, request checking
// with errors that name the field, Bearer auth and body-error hooks that answer in each dialect's own
// envelope, paid-submit bookkeeping, finding the song a clip id belongs to, and waiting for a task's
// stage (for answers that block or stream). Each dialect keeps its own routes and wire shapes;
// nothing here knows a wire format.

import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { hasBearerToken } from './auth';
import { injectFaults } from './faultHooks';
import type { FaultStatuses } from './faults';
import type { SimulatorContext } from './context';
import { ledgerEntryFor } from './ledger';
import { asSongTask, clipOf, type SongClip, type SongContent, type TaskContent } from './taskContent';
import { stageIsAtLeast, type SimulatedTask, type StageName } from './taskStore';

/** Options only the dialects in this family read (AnyInt ignores them). */
export interface DialectOptions {
  /**
   * Paid submits the simulated account can afford, counted over the whole ledger (every dialect,
   * earlier runs of a state dir included). Past it the aimusicapi, newapi, acedata and cqt dialects
   * refuse submits with their "not enough credits" error (aimusicapi and cqt: 402; newapi: 403
   * quota_not_enough; acedata: 402 used_up), so clients' billing errors can be exercised.
   * Default: unlimited.
   */
  credits?: number;
  /**
   * cqt only (the one dialect that documents a concurrency limit): how many of its tasks may be
   * unfinished at once before a submit answers 429 "Task limit reached". Default 20.
   */
  taskLimit?: number;
}

export interface ResolvedDialectOptions {
  credits: number;
  taskLimit: number;
}

export function resolveDialectOptions(options: DialectOptions = {}): ResolvedDialectOptions {
  const credits = options.credits ?? Number.POSITIVE_INFINITY;
  if (!(credits >= 0) || (Number.isFinite(credits) && !Number.isInteger(credits))) {
    throw new Error(`credits must be a non-negative integer, got ${credits}`);
  }
  const taskLimit = options.taskLimit ?? 20;
  if (!Number.isInteger(taskLimit) || taskLimit < 1) {
    throw new Error(`taskLimit must be a positive integer, got ${taskLimit}`);
  }
  return { credits, taskLimit };
}

/** What a dialect plugin is given: the shared simulator context plus the family's options. */
export interface DialectContext extends SimulatorContext {
  dialectOptions: ResolvedDialectOptions;
}

// ---- request checking ------------------------------------------------------------------------

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates input; on failure the message reads "<field>: <problem>" for the first problem. */
export function check<T>(schema: z.ZodType<T>, input: unknown): Checked<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const first = result.error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : 'body';
  return { ok: false, message: `${field}: ${first?.message ?? 'invalid'}` };
}

export const OBJECT_BODY = { error: 'must be a JSON object' };

export function requiredText() {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .refine((value) => value.trim().length > 0, 'must not be empty');
}

export function optionalText() {
  return z.string({ error: 'must be a string' }).optional();
}

export function optionalBoolean() {
  return z.boolean({ error: 'must be a boolean' }).optional();
}

export function optionalNumber() {
  return z.number({ error: 'must be a number' }).optional();
}

/** An optional webhook address: only http(s) URLs can be called back. */
export function optionalHttpUrl() {
  return z
    .string({ error: 'must be a string' })
    .refine((value) => {
      if (!URL.canParse(value)) return false;
      const protocol = new URL(value).protocol;
      return protocol === 'http:' || protocol === 'https:';
    }, 'must be an http(s) URL')
    .optional();
}

export function isPresent(value: string | undefined): value is string {
  return value !== undefined && value.trim().length > 0;
}

// ---- hooks that answer in the dialect's envelope ---------------------------------------------

/** Sends a dialect's error envelope for a status (400, 401, 402, 413, 500, ...). */
export type Reject = (reply: FastifyReply, status: number, message: string) => FastifyReply;

/** The HTTP status an error travels with, per the simulator's errorStatus option. */
export function errorHttpStatus(context: SimulatorContext, status: number): number {
  return context.options.errorStatus === 'mirror' ? status : 200;
}

/**
 * Bearer auth on every route of the plugin, injected faults (answered with the dialect's status
 * for each class), and body-parsing failures (bad JSON, wrong content type, oversized body)
 * answered in the dialect's envelope, because clients read the envelope first.
 */
export function guardRoutes(app: FastifyInstance, context: DialectContext, dialect: string, reject: Reject, faultStatuses: FaultStatuses): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!hasBearerToken(request.headers.authorization, context.options.apiKey)) {
      return reject(reply, 401, 'authentication failed: send Authorization: Bearer <api key>');
    }
  });
  injectFaults(app, context, faultStatuses, reject);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reject(reply, 413, 'body: too large');
    if (status >= 400 && status < 500) return reject(reply, 400, `body: ${error.message}`);
    context.log(`${dialect}: internal error ${error.stack ?? error.message}`);
    return reject(reply, 500, 'server error');
  });
}

// ---- tasks -----------------------------------------------------------------------------------

/** A task this dialect accepted (in this run or, restored, an earlier one); others are unknown. */
export function ownTask(context: SimulatorContext, dialect: string, taskId: string): SimulatedTask<TaskContent> | undefined {
  const task = context.store.get(taskId);
  return task?.dialect === dialect ? task : undefined;
}

/** A text field of a saved request (requests are kept exactly as received, so read them warily). */
export function requestText(request: unknown, field: string): string | undefined {
  const value = typeof request === 'object' && request !== null ? (request as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The song task of this dialect that made a clip, found by clip id alone (the way requests that
 * work on a clip name it). The ledger lists every accepted task, restored ones included, so it
 * is the index; newest first, as a later task is the likelier source.
 */
export function findClip(
  context: SimulatorContext,
  dialect: string,
  clipId: string,
  isSong: (task: SimulatedTask<TaskContent>) => boolean,
): { song: SimulatedTask<SongContent>; clip: SongClip } | undefined {
  for (let index = context.ledger.length - 1; index >= 0; index--) {
    const entry = context.ledger[index];
    const task = entry && ownTask(context, dialect, entry.taskId);
    const song = task && isSong(task) ? asSongTask(task) : undefined;
    const clip = song && clipOf(song.content, clipId);
    if (song && clip) return { song, clip };
  }
  return undefined;
}

/** True when the account can pay for one more submit. */
export function canAffordSubmit(context: DialectContext): boolean {
  return context.ledger.length < context.dialectOptions.credits;
}

export function recordPaidSubmit(context: SimulatorContext, task: SimulatedTask<TaskContent>): void {
  context.ledger.push(ledgerEntryFor(task));
  context.log(`submit ${task.route} -> task ${task.id}`);
}

/** Unix seconds, as the relays of this family stamp tasks. */
export function unixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}

/** Wall-clock time a stage is (or was) due; 0 when the task has no such stage. */
export function stageDueAt(task: SimulatedTask<unknown>, stage: StageName): number {
  const entry = task.timeline.find((time) => time.stage === stage);
  return entry ? task.submittedAt.getTime() + entry.afterMs : 0;
}

/** A UUID-shaped id derived from the task, for fields (trace ids) that must be stable per task. */
export function uuidFor(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Resolves once the task has reached `stage` (at once if it already has). The store computes stages
 * from elapsed time and keeps no waiters, so this sleeps until the due time and then confirms with
 * the store, whose monotonic clock is the authority. Timers are unref'd: a request still waiting
 * must not keep a closing simulator alive.
 */
export async function untilStage(context: SimulatorContext, task: SimulatedTask<TaskContent>, stage: StageName): Promise<void> {
  for (;;) {
    if (stageIsAtLeast(context.store.stageOf(task), stage)) return;
    const remaining = stageDueAt(task, stage) - Date.now();
    await sleep(Math.min(Math.max(remaining, 5), 1000));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
