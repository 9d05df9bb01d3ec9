// Request bodies of the AnyInt transform routes (extend, upload-cover, upload-extend, add-vocals,
// add-instrumental, replace-section, style-generate), with the fields docs/transforms-wire.md fixes
// from the seed and the family's public pages. Messages read "<field>: <problem>".

import { z } from 'zod';
import { callbackUrl, OBJECT_BODY, optionalText, requiredText } from './requests';

function requiredBoolean() {
  return z.boolean({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a boolean') });
}

const seconds = () =>
  z.number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number of seconds') }).nonnegative('must not be negative');

const weight = () =>
  z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional();

/** The user's audio (or a clip's audio URL): only http(s) URLs can be fetched. */
const uploadUrl = () =>
  requiredText().refine((value) => {
    if (!URL.canParse(value)) return false;
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  }, 'must be an http(s) URL');

/** The optional creative controls the family's transform routes share. */
const controls = {
  negativeTags: optionalText(),
  vocalGender: z.enum(['m', 'f'], { error: "must be 'm' or 'f'" }).optional(),
  styleWeight: weight(),
  weirdnessConstraint: weight(),
};

function isPresent(value: string | undefined): boolean {
  return value !== undefined && value.trim().length > 0;
}

export const extendRequest = z.object(
  {
    taskId: requiredText(),
    audioId: requiredText(),
    defaultParamFlag: requiredBoolean(),
    continueAt: seconds(),
    model: requiredText(),
    callBackUrl: callbackUrl(),
    prompt: optionalText(),
    style: optionalText(),
    title: optionalText(),
    personaId: optionalText(),
    ...controls,
  },
  OBJECT_BODY,
);
export type ExtendRequest = z.infer<typeof extendRequest>;

export const uploadCoverRequest = z
  .object(
    {
      uploadUrl: uploadUrl(),
      customMode: requiredBoolean(),
      instrumental: requiredBoolean(),
      model: requiredText(),
      callBackUrl: callbackUrl(),
      prompt: optionalText(),
      style: optionalText(),
      title: optionalText(),
      audioWeight: weight(),
      ...controls,
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    const missing = (field: string, why: string) => context.addIssue({ code: 'custom', path: [field], message: `is required ${why}` });
    if (body.customMode) {
      if (!isPresent(body.style)) missing('style', 'in custom mode');
      if (!isPresent(body.title)) missing('title', 'in custom mode');
      if (!body.instrumental && !isPresent(body.prompt)) missing('prompt', 'in custom mode unless instrumental');
    } else if (!isPresent(body.prompt)) {
      missing('prompt', 'in simple mode');
    }
  });
export type UploadCoverRequest = z.infer<typeof uploadCoverRequest>;

export const uploadExtendRequest = z.object(
  {
    uploadUrl: uploadUrl(),
    defaultParamFlag: requiredBoolean(),
    instrumental: requiredBoolean(),
    continueAt: seconds(),
    model: requiredText(),
    callBackUrl: callbackUrl(),
    prompt: optionalText(),
    style: optionalText(),
    title: optionalText(),
    audioWeight: weight(),
    ...controls,
  },
  OBJECT_BODY,
);
export type UploadExtendRequest = z.infer<typeof uploadExtendRequest>;

export const addVocalsRequest = z.object(
  {
    uploadUrl: uploadUrl(),
    prompt: requiredText(),
    title: requiredText(),
    style: requiredText(),
    callBackUrl: callbackUrl(),
    audioWeight: weight(),
    model: optionalText(),
    ...controls,
  },
  OBJECT_BODY,
);
export type AddVocalsRequest = z.infer<typeof addVocalsRequest>;

export const addInstrumentalRequest = z.object(
  {
    uploadUrl: uploadUrl(),
    title: requiredText(),
    tags: requiredText(),
    callBackUrl: callbackUrl(),
    audioWeight: weight(),
    model: optionalText(),
    ...controls,
  },
  OBJECT_BODY,
);
export type AddInstrumentalRequest = z.infer<typeof addInstrumentalRequest>;

export const replaceSectionRequest = z
  .object(
    {
      taskId: requiredText(),
      audioId: requiredText(),
      infillStartS: seconds(),
      infillEndS: seconds(),
      prompt: requiredText(),
      tags: requiredText(),
      title: requiredText(),
      callBackUrl: callbackUrl(),
      negativeTags: optionalText(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    if (body.infillEndS <= body.infillStartS) {
      context.addIssue({ code: 'custom', path: ['infillEndS'], message: 'must be after infillStartS' });
    }
  });
export type ReplaceSectionRequest = z.infer<typeof replaceSectionRequest>;

/**
 * Answered in the submit itself: a callBackUrl is accepted (the family asks for one on every
 * route) but not needed, as nothing is called back.
 */
export const styleGenerateRequest = z.object({ content: requiredText(), callBackUrl: callbackUrl().optional() }, OBJECT_BODY);
