// The album manifest as a user writes it (YAML or JSON), checked field by field with zod. Rules that
// relate fields to each other (prompt or lyrics file, persona track, provider capabilities) live in
// rules.ts, so that they can report alongside these errors instead of after them.
import { z } from 'zod';
import { PROVIDER_NAMES } from '../../providers/model';
import type { FailurePolicy, PersonaStrategy } from '../../contracts/albumPipeline';
import { PIPELINE_STEPS } from '../../contracts/trackManifest';
import { RELEASE_FIELDS, releaseSection, trackReleaseFields } from './release';

/** Limits shared with the providers: the tightest title any adapter sends whole (anyint: 100). */
export const ALBUM_LIMITS = {
  tracks: 100,
  titleChars: 100,
  albumTitleChars: 200,
  artistChars: 200,
  promptChars: 3000,
  styleChars: 1000,
  /** Custom-mode lyrics: the providers accept at most 5000 characters (as `npm run song`). */
  lyricsChars: 5000,
  concurrency: 16,
  retryAttempts: 5,
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);

const steps = z
  .array(z.enum(PIPELINE_STEPS))
  .min(1)
  .superRefine((list, ctx) => {
    // Every later step works on the song's clip, so a list without it could never run.
    if (!list.includes('song')) ctx.addIssue({ code: 'custom', message: 'must include song (every other step works on its clip)' });
    const seen = new Set<string>();
    for (const step of list) {
      if (seen.has(step)) ctx.addIssue({ code: 'custom', message: `lists ${step} twice` });
      seen.add(step);
    }
  });

const defaults = z.strictObject({
  style: text(ALBUM_LIMITS.styleChars).optional(),
  instrumental: z.boolean().optional(),
  steps: steps.optional(),
  model: text(100).optional(),
});

/**
 * `song` (the built-in song pipeline, the default) or a pipeline definition file (YAML or JSON),
 * relative to the manifest's folder; trackPipeline.ts reads and checks it.
 */
const pipeline = text(1000);

const track = z.strictObject({
  title: text(ALBUM_LIMITS.titleChars),
  /** Overrides the album's `pipeline` for this track. */
  pipeline: pipeline.optional(),
  prompt: text(ALBUM_LIMITS.promptChars).optional(),
  /** Relative to the manifest file's folder (or absolute). */
  lyricsFile: text(1000).optional(),
  style: text(ALBUM_LIMITS.styleChars).optional(),
  instrumental: z.boolean().optional(),
  steps: steps.optional(),
  /** isrc and explicit: what a distributor asks of each recording (release.ts). */
  ...trackReleaseFields,
});

export const PERSONA_STRATEGIES = ['from-track', 'given', 'none'] as const satisfies readonly PersonaStrategy['strategy'][];

/**
 * The workflow's persona strategy (contracts/albumPipeline.ts) as a user writes it: the track may be
 * named by title as well as by number; resolve.ts turns it into the number.
 */
export type ManifestPersona = Exclude<PersonaStrategy, { strategy: 'from-track' }> | { strategy: 'from-track'; track: number | string };

const persona = z.preprocess(
  // `persona: none` is accepted for `persona: { strategy: none }`.
  (value) => (value === 'none' ? { strategy: 'none' } : value),
  z.discriminatedUnion('strategy', [
    /** Make the persona once from this track's chosen clip; every later vocal track sings with it. */
    // The track (1-based number or title) is checked against the track list in rules.ts.
    z.strictObject({ strategy: z.literal('from-track'), track: z.union([z.number(), text(ALBUM_LIMITS.titleChars)]) }),
    /** Sing every vocal track with a persona that already exists on the provider. */
    z.strictObject({ strategy: z.literal('given'), personaId: text(200) }),
    z.strictObject({ strategy: z.literal('none') }),
  ]),
) satisfies z.ZodType<ManifestPersona>;

export const FAILURE_MODES = ['retry', 'skip', 'fail-album'] as const satisfies readonly FailurePolicy['mode'][];

const failurePolicy = z.preprocess(
  // `failurePolicy: skip` reads better in YAML than a one-key mapping; both are accepted (a bare
  // `retry` then asks for its attempts).
  (value) => (value === 'skip' || value === 'fail-album' || value === 'retry' ? { mode: value } : value),
  z.discriminatedUnion('mode', [
    /** `attempts`: how many times a failed track is run again, so it runs at most 1 + attempts times. */
    z.strictObject({ mode: z.literal('retry'), attempts: z.int().min(1).max(ALBUM_LIMITS.retryAttempts) }),
    z.strictObject({ mode: z.literal('skip') }),
    z.strictObject({ mode: z.literal('fail-album') }),
  ]),
) satisfies z.ZodType<FailurePolicy>;

export const albumManifestSchema = z.strictObject({
  /** Overrides the album id otherwise derived from title and artist (workflow ids and the folder use it). */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63)')
    .optional(),
  title: text(ALBUM_LIMITS.albumTitleChars),
  artist: text(ALBUM_LIMITS.artistChars),
  year: z.int().min(1000).max(9999).optional(),
  genre: text(100).optional(),
  provider: z.enum(PROVIDER_NAMES).optional(),
  model: text(100).optional(),
  /** The pipeline every track runs unless it names its own: `song` (default) or a definition file. */
  pipeline: pipeline.optional(),
  defaults: defaults.optional(),
  tracks: z.array(track).min(1).max(ALBUM_LIMITS.tracks),
  persona: persona.default({ strategy: 'none' }),
  concurrency: z.int().min(1).max(ALBUM_LIMITS.concurrency).default(4),
  failurePolicy: failurePolicy.default({ mode: 'skip' }),
  /** Most credits (in the provider's own unit) the album may cost; the CLI refuses to start above it. */
  budget: z.number().positive().optional(),
  /** Write mastered copies normalized to this integrated loudness (EBU R128). */
  loudness: z.strictObject({ targetLufs: z.number().min(-30).max(-5) }).optional(),
  /** What a distributor asks of the release (label, UPC, dates, copyright, AI disclosure, cover). */
  release: releaseSection.optional(),
  /** Measure each track's tempo (BPM) and key with librosa, for the tags, album.json and the report. */
  analysis: z.boolean().default(true),
});

/** The manifest as validated: defaults for persona, concurrency and failure policy filled in. */
export type AlbumManifest = z.infer<typeof albumManifestSchema>;
export type AlbumTrackSpec = AlbumManifest['tracks'][number];

/** Every field name the manifest knows, for "did you mean" hints on unknown ones. */
export const KNOWN_FIELDS = [
  ...Object.keys(albumManifestSchema.shape),
  ...Object.keys(defaults.shape),
  ...Object.keys(track.shape),
  'strategy',
  'track',
  'personaId',
  'mode',
  'attempts',
  'targetLufs',
  ...RELEASE_FIELDS,
];
