// Tolerant building blocks for parsing what providers send us. Payload shapes drift within one API
// family (numbers sent as strings, nulls and empty strings at early stages), so received fields are
// parsed leniently and normalized once here; what we send is validated strictly in each dialect.
import { z } from 'zod';

/** A number that may arrive as a string, null or ''; absent values become undefined. */
export const looseNumber = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v) => {
    if (v === null || v === undefined || v === '') return undefined;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : undefined;
  });

/** A string that may arrive as null, a number or be missing; empty strings become undefined. */
export const looseString = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));

/** An id that some dialects send as a number. Required and non-empty. */
export const idString = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** An envelope code: 200, "200" or a word like "success". */
export const envelopeCode = z.union([z.number(), z.string()]).optional();

/** The object without its undefined fields: what we send never carries `"field": undefined` placeholders. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A provider's failure reason that names the input itself (moderation, an artist name, copyright,
 * a malformed request): a new submit of the same input would fail again, so it is not retryable.
 */
const INPUT_REFUSAL = /moderat|artist|copyright|sensitive|inappropriate|flagged|not allowed|violat|malformed|producer tag/i;

export function isInputRefusal(reason: string): boolean {
  return INPUT_REFUSAL.test(reason);
}

/** Throws when a zod parse fails, with every issue named by its path: `data.taskId: required`. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new WireFormatError(what, describeIssues(result.error));
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** A payload that does not have the shape its dialect documents. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
  constructor(
    readonly what: string,
    readonly issues: string,
  ) {
    super(`${what} has an unexpected shape: ${issues}`);
  }
}
