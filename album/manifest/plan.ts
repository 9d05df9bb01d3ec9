// From a manifest file to a ready albumPipeline input: validate it, price it, check the budget, and
// lay out the folders. Shared by `npm run album` and `npm run batch`, so both refuse the same things.
import path from 'node:path';
import { songPipelineLimitProblems } from '../../providers/limits';
import { loadPriceTable } from '../../providers/priceFile';
import { estimateAlbumCredits, formatEstimateTable, priceOf, type AlbumEstimate } from '../../providers/prices';
import type { AlbumPipelineInput } from '../../contracts/albumPipeline';
import { STEP_KINDS, type StepKind } from '../../providers/model';
import { loadAlbumManifest, type ResolvedAlbum } from './manifest';
import type { Config } from '../../runtime/config';
import type { AlbumReleaseInput } from '../../contracts/albumDelivery';
import type { ReleaseSection } from './release';

export interface AlbumPlan {
  album: ResolvedAlbum;
  input: AlbumPipelineInput;
  estimate: AlbumEstimate;
  estimateTable: string;
  budget?: number;
}

export async function planAlbum(
  file: string,
  config: Config,
  options: { out?: string; callbacks: boolean; budget?: number },
): Promise<{ ok: true; plan: AlbumPlan } | { ok: false; errors: string[] }> {
  const loaded = await loadAlbumManifest(file, { defaultProvider: config.provider });
  if (!loaded.ok) return { ok: false, errors: loaded.errors };
  const album = loaded.album;
  let prices;
  try {
    prices = await loadPriceTable();
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
  // A song track costs its steps; a definition's track costs each of its steps, priced by kind.
  const estimate = estimateAlbumCredits(
    { provider: album.provider, tracks: album.tracks.map((t) => ({ number: t.number, title: t.title, steps: t.pipeline.kind === 'song' ? t.steps : t.pipeline.plan.steps.map((s) => s.kind) })) },
    prices,
  );
  // Text too long for the provider, every song track in one pass (a definition's steps were checked with it).
  const tooLong = album.tracks.flatMap((t) =>
    t.pipeline.kind !== 'song'
      ? []
      : songPipelineLimitProblems(album.provider, { prompt: t.prompt, title: t.title, style: t.style, lyrics: t.lyrics, instrumental: t.instrumental }, t.steps).map(
          (problem) => `track ${t.number} ("${t.title}"): ${problem}`,
        ),
  );
  if (tooLong.length > 0) return { ok: false, errors: tooLong };
  const budget = options.budget ?? album.budget;
  if (budget !== undefined && estimate.total > budget) {
    return { ok: false, errors: [`budget: the estimate (${estimate.total} credits) exceeds the budget (${budget})`] };
  }
  const stepPrices: Partial<Record<StepKind, number>> = {};
  for (const step of STEP_KINDS) {
    const price = priceOf(prices, album.provider, step);
    if (price) stepPrices[step] = price.credits;
  }
  const albumDir = path.resolve(options.out ?? config.outDir, album.id);
  const input: AlbumPipelineInput = {
    albumId: album.id,
    title: album.title,
    artist: album.artist,
    provider: album.provider,
    outDir: albumDir,
    year: album.year,
    genre: album.genre,
    model: album.model,
    persona: album.persona,
    concurrency: album.concurrency,
    failurePolicy: album.failurePolicy,
    callbacks: options.callbacks && config.callbacks.enabled,
    loudness: album.loudness,
    analysis: album.analysis,
    prices: stepPrices,
    credits: { estimated: estimate.total, budget },
    ...(album.release ? { release: releaseInput(album.release) } : {}),
    tracks: album.tracks.map((t) => ({
      number: t.number,
      title: t.title,
      request: { prompt: t.prompt, title: t.title, style: t.style, lyrics: t.lyrics, instrumental: t.instrumental, model: album.model },
      steps: t.steps,
      outDir: path.join(albumDir, t.dirName),
      fileStem: t.fileStem,
      ...(t.pipeline.kind === 'definition' ? { pipeline: { definition: t.pipeline.given, plan: t.pipeline.plan, personaSteps: t.pipeline.personaSteps } } : {}),
      ...(t.isrc !== undefined ? { isrc: t.isrc } : {}),
      ...(t.explicit !== undefined ? { explicit: t.explicit } : {}),
    })),
  };
  return { ok: true, plan: { album, input, estimate, estimateTable: formatEstimateTable(estimate), budget } };
}

/** What the workflow needs of the release section: the tags' facts and the delivery settings (the AI disclosure stays with the check). */
function releaseInput(release: ReleaseSection): AlbumReleaseInput {
  const picked: AlbumReleaseInput = {
    label: release.label,
    upc: release.upc,
    releaseDate: release.releaseDate,
    copyright: release.copyright,
    phonographicCopyright: release.phonographicCopyright,
    cover: release.cover,
    delivery: release.delivery,
  };
  // Absent fields stay absent in the workflow's input (and its history).
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
}
