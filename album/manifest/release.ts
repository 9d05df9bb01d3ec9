// The manifest's `release` section and the per-track fields a distributor asks for (ISRC, explicit).
// Only their shape is checked here; whether the album made from the manifest would be accepted is the
// release check's question (album/release/).
import { z } from 'zod';
import { isrcProblem, upcProblem } from '../release/identifiers';
import { deliverySettings } from '../delivery/settings';

const text = (max: number) => z.string().trim().min(1).max(max);

/** A code written as a number in YAML (`upc: 036000291452`) loses leading zeros; it must be quoted. */
const code = (problem: (value: string) => string | undefined) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value === 'number') ctx.addIssue({ code: 'custom', message: 'write the code in quotes (as a number, YAML drops its leading zeros)' });
      else if (typeof value !== 'string') ctx.addIssue({ code: 'custom', message: 'must be text' });
      else {
        const why = problem(value.trim());
        if (why) ctx.addIssue({ code: 'custom', message: why });
      }
    })
    .transform((value) => String(value).trim());

export const upc = code(upcProblem);
export const isrc = code(isrcProblem);

/** DDEX's AI-disclosure credits (as Spotify took them up): which parts a machine made. */
export const AI_DISCLOSURE_PARTS = ['vocals', 'instrumentation', 'composition', 'lyrics', 'postProduction'] as const;

const aiDisclosure = z.strictObject(Object.fromEntries(AI_DISCLOSURE_PARTS.map((part) => [part, z.boolean()])) as Record<(typeof AI_DISCLOSURE_PARTS)[number], z.ZodBoolean>);

export const releaseSection = z.strictObject({
  label: text(200).optional(),
  upc: upc.optional(),
  /** ISO date, YYYY-MM-DD. */
  releaseDate: z.iso.date({ error: 'must be a date written YYYY-MM-DD' }).optional(),
  /** ℗ line: who owns the recording (`2026 Rainy Records`). */
  phonographicCopyright: text(300).optional(),
  /** © line: who owns the composition and artwork. */
  copyright: text(300).optional(),
  /** Every part must be answered: a distributor takes no answer as no disclosure. */
  aiDisclosure,
  /** The user's own cover art (relative to the manifest's folder), instead of the provider's small image. */
  cover: text(1000).optional(),
  /** Asks for a delivery folder (masters, cover, stems) made as these settings say; `{}` takes the defaults. */
  delivery: deliverySettings.optional(),
});

export type ReleaseSection = z.infer<typeof releaseSection>;

/** The release fields a track may carry. */
export const trackReleaseFields = {
  isrc: isrc.optional(),
  explicit: z.boolean().optional(),
};

export const RELEASE_FIELDS = [...Object.keys(releaseSection.shape), ...Object.keys(trackReleaseFields), ...AI_DISCLOSURE_PARTS];
