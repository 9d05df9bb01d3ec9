// Faults the simulator can inject, so that clients can be proven against what real providers and
// networks do: error answers of every class, a submit that is accepted (and paid for) but whose
// answer never arrives, and webhooks that come twice, late, out of order or not at all.
//
// A fault is chosen per request by scripted rules (the next N matching requests) or at random
// with a rate. The random choices come from the seed, so a chaos run can be repeated.

import { z } from 'zod';
import { seededRandom, type SeededRandom } from './deterministic';

/** Answers in the dialect's own error envelope, with a status its clients read as this class. */
export const ERROR_FAULTS = ['throttled', 'unavailable', 'rejected', 'auth', 'billing'] as const;
/**
 * The request reaches the provider and a submit is accepted (paid for), but the client never gets
 * the answer: 'hang' holds the connection open without answering, 'cut' drops it.
 */
export const EXCHANGE_FAULTS = ['hang', 'cut'] as const;
export const REQUEST_FAULTS = [...ERROR_FAULTS, ...EXCHANGE_FAULTS] as const;
export const CALLBACK_FAULTS = ['duplicate', 'delay', 'reorder', 'drop'] as const;

export type ErrorFault = (typeof ERROR_FAULTS)[number];
export type RequestFault = (typeof REQUEST_FAULTS)[number];
export type CallbackFault = (typeof CALLBACK_FAULTS)[number];
/** Which requests a fault may hit: paid submits, task queries, or both. */
export type FaultTarget = 'submit' | 'query' | 'any';

/** The HTTP status (and so the envelope code) each dialect uses for each class of error. */
export type FaultStatuses = Record<ErrorFault, number>;

export const faultRuleSchema = z.strictObject({
  fault: z.enum(REQUEST_FAULTS),
  on: z.enum(['submit', 'query', 'any']).default('submit'),
  /** Only requests whose "METHOD /path" contains this text, e.g. "/suno/generate" (also -lyrics, -cover...). */
  match: z.string().min(1).optional(),
  /** Only requests to exactly this "METHOD /path", e.g. "POST /suno/generate". */
  route: z.string().regex(/^[A-Z]+ \/\S*$/, 'must be "METHOD /path"').optional(),
  /** How many matching requests the rule hits before it is spent. */
  times: z.number().int().positive().default(1),
});
export type FaultRule = z.input<typeof faultRuleSchema>;
type ParsedRule = z.output<typeof faultRuleSchema>;

export const randomFaultsSchema = z.strictObject({
  /** Probability (0..1) that an eligible request gets one of `faults`. */
  rate: z.number().min(0).max(1),
  faults: z.array(z.enum(REQUEST_FAULTS)).min(1),
  on: z.enum(['submit', 'query', 'any']).default('any'),
});
export type RandomFaults = z.input<typeof randomFaultsSchema>;

export const callbackFaultsSchema = z.strictObject({
  /** Probability (0..1) that a webhook is delivered with one of `faults`. */
  rate: z.number().min(0).max(1),
  faults: z.array(z.enum(CALLBACK_FAULTS)).min(1),
  /** How late a delayed (or reordered) webhook comes. */
  delayMs: z.number().int().nonnegative().default(5_000),
});
export type CallbackFaults = z.input<typeof callbackFaultsSchema>;

/** One random spec, or several (say, every fault on submits and only network faults on queries). */
const randomSpecsSchema = z.union([randomFaultsSchema, z.array(randomFaultsSchema)]).transform((specs) => (Array.isArray(specs) ? specs : [specs]));

export const faultOptionsSchema = z.strictObject({
  rules: z.array(faultRuleSchema).default([]),
  random: randomSpecsSchema.optional(),
  callbacks: callbackFaultsSchema.optional(),
  /** How long a hung request is held before its connection is dropped. */
  hangMs: z.number().int().positive().default(120_000),
});
export type FaultOptions = z.input<typeof faultOptionsSchema>;

/** What was injected, by fault, for reports and tests. */
export type FaultCounts = Record<RequestFault | CallbackFault, number>;

export interface InjectedFault {
  fault: RequestFault | CallbackFault;
  /** "POST /suno/generate", or "callback <label>". */
  target: string;
  at: string;
}

/** Queries read task state; everything else a dialect answers on POST creates a paid task. */
export function requestTarget(method: string, path: string): 'submit' | 'query' {
  if (method === 'GET') return 'query';
  return /^\/suno\/(fetch|tasks)(\/|$)/.test(path) ? 'query' : 'submit';
}

export class FaultPlan {
  private readonly rules: ParsedRule[];
  private random: z.output<typeof randomFaultsSchema>[];
  private callbackFaults: z.output<typeof callbackFaultsSchema> | undefined;
  hangMs: number;
  private readonly dice: SeededRandom;
  private readonly released = new AbortController();
  readonly injected: InjectedFault[] = [];

  constructor(seed: string, options: FaultOptions = {}) {
    const parsed = faultOptionsSchema.parse(options);
    this.rules = parsed.rules;
    this.random = parsed.random ?? [];
    this.callbackFaults = parsed.callbacks;
    this.hangMs = parsed.hangMs;
    this.dice = seededRandom(seed, 'faults');
  }

  /** Adds scripted rules (the control route and tests use this while the simulator runs). */
  add(rules: FaultRule[]): void {
    for (const rule of rules) this.rules.push(faultRuleSchema.parse(rule));
  }

  /** Replaces the random request faults; null turns them off. */
  setRandomRequests(random: RandomFaults | RandomFaults[] | null): void {
    this.random = random === null ? [] : randomSpecsSchema.parse(random);
  }

  /** Replaces the random webhook faults; null turns them off. */
  setRandomCallbacks(callbacks: CallbackFaults | null): void {
    this.callbackFaults = callbacks === null ? undefined : callbackFaultsSchema.parse(callbacks);
  }

  /** Drops every scripted rule not yet spent. */
  clearRules(): void {
    this.rules.length = 0;
  }

  /** Scripted rules not yet spent. */
  pending(): ParsedRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  counts(): FaultCounts {
    const counts = Object.fromEntries([...REQUEST_FAULTS, ...CALLBACK_FAULTS].map((fault) => [fault, 0])) as FaultCounts;
    for (const { fault } of this.injected) counts[fault]++;
    return counts;
  }

  /** The fault for this request, if any: scripted rules first, then the random ones. */
  forRequest(method: string, path: string): RequestFault | undefined {
    const target = requestTarget(method, path);
    const label = `${method} ${path}`;
    const hits = (on: FaultTarget) => on === 'any' || on === target;
    const index = this.rules.findIndex(
      (rule) => hits(rule.on) && (rule.match === undefined || label.includes(rule.match)) && (rule.route === undefined || label === rule.route),
    );
    let fault: RequestFault | undefined;
    const rule = this.rules[index];
    if (rule) {
      fault = rule.fault;
      if (--rule.times === 0) this.rules.splice(index, 1);
    } else {
      const spec = this.random.find((candidate) => hits(candidate.on));
      if (spec && this.dice.next() < spec.rate) fault = this.dice.pick(spec.faults);
    }
    if (fault) this.injected.push({ fault, target: label, at: new Date().toISOString() });
    return fault;
  }

  /** Resolves after `hangMs`, or at once when the simulator closes. */
  hold(): Promise<void> {
    return new Promise((resolve) => {
      if (this.released.signal.aborted) return resolve();
      const timer = setTimeout(resolve, this.hangMs);
      timer.unref();
      this.released.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  /** Ends every hold, so a closing simulator is not kept open by hung requests. */
  close(): void {
    this.released.abort();
  }

  /** The fault for one webhook delivery, if any. */
  forCallback(label: string): { fault: CallbackFault; delayMs: number } | undefined {
    const settings = this.callbackFaults;
    if (!settings || !(this.dice.next() < settings.rate)) return undefined;
    const fault = this.dice.pick(settings.faults);
    this.injected.push({ fault, target: `callback ${label}`, at: new Date().toISOString() });
    return { fault, delayMs: settings.delayMs };
  }
}
