// What each provider charges per step, in that provider's own credits, and the album estimate the
// CLI prints (and checks against --budget) before anything is submitted. Pure data and arithmetic,
// with no I/O, so a workflow may import it; overrides from a file are read by priceFile.ts.
//
// Credits are each provider's own unit: 30 cqt credits and 12 anyint credits are not comparable,
// and a budget is in the unit of the album's provider. A song task makes two clips for one price.
// The cqt document says failed tasks are refunded and we assume the others do the same, so a retry
// pays again only for what had succeeded before; the estimate is for one clean run and does not
// multiply by retries.
import { PROVIDER_NAMES, STEP_KINDS, type ProviderName, type StepKind } from './model';

/** Where a price comes from: the provider's published list, our assumption, or the operator's file. */
export type PriceBasis = 'published' | 'assumed' | 'override';

export interface Price {
  credits: number;
  basis: PriceBasis;
}

export type PriceTable = { readonly [P in ProviderName]: Readonly<Partial<Record<StepKind, Price>>> };

const published = (credits: number): Price => ({ credits, basis: 'published' });
const assumed = (credits: number): Price => ({ credits, basis: 'assumed' });

function uniform(song: number, small: number, stems: number, allStems: number, basis: (n: number) => Price): Partial<Record<StepKind, Price>> {
  return {
    lyrics: basis(small),
    song: basis(song),
    extend: basis(song),
    persona: basis(small),
    stems: basis(stems),
    'all-stems': basis(allStems),
    wav: basis(small),
    mp4: basis(small),
    'cover-art': basis(small),
    'timestamped-lyrics': basis(small),
    style: basis(small),
    'upload-cover': basis(song),
    'upload-extend': basis(song),
    'add-vocals': basis(song),
    'add-instrumental': basis(song),
    'replace-section': basis(song),
    concat: basis(small),
    mashup: basis(song),
    remaster: basis(song),
    upload: basis(small),
    cover: basis(song),
    sample: basis(song),
    // The cqt page prices a sound effect at a third of a song (10 against 30).
    'sound-effect': basis(Math.max(small, Math.round(song / 3))),
    vox: basis(song),
    'reuse-style': basis(song),
    video: basis(small),
    downbeats: basis(small),
    // An inspiration makes a song; a crop is an edit of an existing clip.
    inspiration: basis(song),
    crop: basis(small),
  };
}

/**
 * Defaults. Only the cqt gateway publishes prices in its document: 30 per song, 60–150 per stem
 * separation, 1–4 per small tool (lyrics, tags, export). Where it gives a range we take the upper end
 * (two-stem separation 60, all stems 150, small tools 4), because the estimate guards a budget and
 * should not come in low. Everything else below is an assumption, marked as such and printed with a
 * `*`; put your account's real rates in a prices file (MUSIC_PRICES_FILE).
 *
 * - anyint (the sunoapi.org / kie.ai wire family): a song is commonly listed at about 12 credits in
 *   that family (not checked against anyint's own list); the family's separation page prices two
 *   stems as one song and a full split as five songs; small tools are assumed at 1 credit.
 * - aimusicapi, newapi, acedata: no public per-step list; assumed 10 credits per song (and per
 *   song-like transform), 1 per small tool, stems and all stems as one and five songs (the anyint
 *   family's ratio).
 */
export const DEFAULT_PRICES: PriceTable = {
  anyint: uniform(12, 1, 12, 60, assumed),
  aimusicapi: uniform(10, 1, 10, 50, assumed),
  newapi: uniform(10, 1, 10, 50, assumed),
  acedata: uniform(10, 1, 10, 50, assumed),
  cqt: {
    ...uniform(30, 4, 60, 150, published),
    // The document names no price for these; persona is an extraction like the small tools, a
    // concatenation assembles existing clips. Still assumptions.
    persona: assumed(4),
    concat: assumed(4),
    crop: assumed(4),
    // Training a custom model: the Suno family's gateways list it at about 100 credits; cqt names no price.
    'custom-model': assumed(100),
  },
};

/** Operator prices: provider → step → credits. */
export type PriceOverrides = Partial<Record<ProviderName, Partial<Record<StepKind, number>>>>;

export function applyPriceOverrides(table: PriceTable, overrides: PriceOverrides): PriceTable {
  const out = {} as Record<ProviderName, Partial<Record<StepKind, Price>>>;
  for (const provider of PROVIDER_NAMES) {
    out[provider] = { ...table[provider] };
    for (const [step, credits] of Object.entries(overrides[provider] ?? {}) as [StepKind, number][]) {
      out[provider][step] = { credits, basis: 'override' };
    }
  }
  return out;
}

export function priceOf(table: PriceTable, provider: ProviderName, step: StepKind): Price | undefined {
  return table[provider][step];
}

/** What an estimate needs of an album: the provider, and each track's steps (already the ones that will be submitted). */
export interface EstimateInput {
  provider: ProviderName;
  tracks: readonly { number: number; title: string; steps: readonly StepKind[] }[];
}

export interface StepCost {
  step: StepKind;
  credits: number;
  basis: PriceBasis;
}

export interface TrackEstimate {
  number: number;
  title: string;
  steps: StepCost[];
  credits: number;
}

export interface AlbumEstimate {
  provider: ProviderName;
  perTrack: TrackEstimate[];
  total: number;
  /** Some price in the total is our assumption, not the provider's list or the operator's file. */
  assumed: boolean;
  /** Steps the table has no price for (counted as 0): the estimate is then a lower bound. */
  unpriced: StepKind[];
}

export function estimateAlbumCredits(album: EstimateInput, table: PriceTable = DEFAULT_PRICES): AlbumEstimate {
  const unpriced = new Set<StepKind>();
  let anyAssumed = false;
  const perTrack = album.tracks.map((track): TrackEstimate => {
    const steps = track.steps.map((step): StepCost => {
      const price = priceOf(table, album.provider, step);
      if (!price) unpriced.add(step);
      if (price?.basis === 'assumed') anyAssumed = true;
      return { step, credits: price?.credits ?? 0, basis: price?.basis ?? 'assumed' };
    });
    return { number: track.number, title: track.title, steps, credits: round(steps.reduce((n, s) => n + s.credits, 0)) };
  });
  return { provider: album.provider, perTrack, total: round(perTrack.reduce((n, t) => n + t.credits, 0)), assumed: anyAssumed, unpriced: [...unpriced] };
}

// Prices may be fractional (0.4 credits); sums are kept free of float noise.
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function formatCredits(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, '');
}

/**
 * The estimate as an aligned text table: one row per track, one column per step that any track
 * uses (in pipeline order), the track's credits, and the total. Assumed prices carry a `*`.
 */
export function formatEstimateTable(estimate: AlbumEstimate, options: { titleWidth?: number } = {}): string {
  const titleWidth = options.titleWidth ?? 28;
  const steps = STEP_KINDS.filter((kind) => estimate.perTrack.some((t) => t.steps.some((s) => s.step === kind)));
  const cell = (cost: StepCost | undefined) => (cost ? `${formatCredits(cost.credits)}${cost.basis === 'assumed' ? '*' : ''}` : '–');
  const header = ['#', 'track', ...steps, 'credits'];
  const rows = estimate.perTrack.map((t) => [String(t.number), clip(t.title, titleWidth), ...steps.map((kind) => cell(t.steps.find((s) => s.step === kind))), formatCredits(t.credits)]);
  const footer = ['', `total (${estimate.provider} credits)`, ...steps.map(() => ''), formatCredits(estimate.total)];
  const all = [header, ...rows, footer];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  // Numbers right-aligned, the title left-aligned.
  const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line), line(footer)];
  if (estimate.assumed) out.push(`* assumed price, not from ${estimate.provider}'s published list: set MUSIC_PRICES_FILE to your account's rates`);
  if (estimate.unpriced.length > 0) out.push(`no price for ${estimate.unpriced.join(', ')} on ${estimate.provider}: counted as 0, so the total is a lower bound`);
  return out.join('\n');
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
