// What a songPipeline run checks of its input before it does anything. Our scripts and the album
// build the input from checked requests, but a run can be started from anyone's client or the
// Temporal UI: one started without `request.instrumental` used to pay for its lyrics and only then
// fail at the song's submit. Checked here, a bad input costs nothing and names the field.
import { z } from 'zod';
import { PROVIDER_NAMES, VARIATIONS } from '../providers/model';
import { PIPELINE_STEPS } from '../contracts/trackManifest';

const weight = z.number().min(0).max(1);

// Tolerant of fields it does not know (a newer client's), strict about the ones a step relies on.
const songInput = z.object({
  provider: z.enum(PROVIDER_NAMES),
  request: z.object({
    prompt: z.string(),
    title: z.string().optional(),
    style: z.string().optional(),
    lyrics: z.string().optional(),
    instrumental: z.boolean(),
    model: z.string().optional(),
    personaId: z.string().optional(),
    negativeStyle: z.string().optional(),
    vocalGender: z.enum(['male', 'female']).optional(),
    variation: z.enum(VARIATIONS).optional(),
    weights: z.object({ weirdness: weight.optional(), style: weight.optional(), audio: weight.optional() }).optional(),
  }),
  steps: z.array(z.enum(PIPELINE_STEPS)),
  outDir: z.string().min(1),
  callbacks: z.boolean(),
  parallelSteps: z.number().int().min(1).optional(),
  onAmbiguousSubmit: z.enum(['wait', 'resubmit']).optional(),
  lyricsTaskId: z.string().optional(),
  tagSong: z.boolean().optional(),
});

/** One line per problem, each naming its field (`request.instrumental: ...`); empty when the input is fine. */
export function songInputProblems(input: unknown): string[] {
  const checked = songInput.safeParse(input);
  if (checked.success) return [];
  return checked.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`);
}
