// Request bodies the AnyInt dialect accepts, checked the way the gateway documents them.
// Messages read "<field>: <problem>" so a client's error names the field to fix.

import { z } from 'zod';

function requiredBoolean() {
  return z.boolean({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a boolean') });
}

export function requiredText() {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .refine((value) => value.trim().length > 0, 'must not be empty');
}

export function optionalText() {
  return z.string({ error: 'must be a string' }).optional();
}

export function callbackUrl() {
  return requiredText().refine((value) => {
    if (!URL.canParse(value)) return false;
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  }, 'must be an http(s) URL');
}

function isPresent(value: string | undefined): boolean {
  return value !== undefined && value.trim().length > 0;
}

export const OBJECT_BODY = { error: 'must be a JSON object' };

export const generateRequest = z
  .object(
    {
      customMode: requiredBoolean(),
      instrumental: requiredBoolean(),
      model: requiredText(),
      callBackUrl: callbackUrl(),
      prompt: optionalText(),
      style: optionalText(),
      title: optionalText(),
      personaId: optionalText(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    const missing = (field: 'prompt' | 'style' | 'title', why: string) =>
      context.addIssue({ code: 'custom', path: [field], message: `is required ${why}` });
    if (body.customMode) {
      if (!isPresent(body.style)) missing('style', 'in custom mode');
      if (!isPresent(body.title)) missing('title', 'in custom mode');
      if (!body.instrumental && !isPresent(body.prompt)) missing('prompt', 'in custom mode unless instrumental');
    } else if (!isPresent(body.prompt)) {
      missing('prompt', 'in simple mode');
    }
  });
export type GenerateRequest = z.infer<typeof generateRequest>;

export const generateLyricsRequest = z.object({ prompt: requiredText(), callBackUrl: callbackUrl() }, OBJECT_BODY);
export type GenerateLyricsRequest = z.infer<typeof generateLyricsRequest>;

export const taskQuery = z.object({ taskId: requiredText() }, OBJECT_BODY);

/** Prompt limits in characters: lyrics in custom mode, a description in simple mode. */
export const PROMPT_LIMITS = { custom: 3000, simple: 500 } as const;

/** Describes the overflow when the prompt is longer than the mode allows (the gateway's code 413). */
export function promptOverflow(body: GenerateRequest): string | undefined {
  const limit = body.customMode ? PROMPT_LIMITS.custom : PROMPT_LIMITS.simple;
  const length = body.prompt?.length ?? 0;
  if (length <= limit) return undefined;
  return `prompt is ${length} characters, the limit is ${limit} in ${body.customMode ? 'custom' : 'simple'} mode`;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function check<T>(schema: z.ZodType<T>, input: unknown): Checked<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const first = result.error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : 'body';
  return { ok: false, message: `${field}: ${first?.message ?? 'invalid'}` };
}
