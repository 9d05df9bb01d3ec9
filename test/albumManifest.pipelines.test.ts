// Album manifests that name pipeline definitions (`pipeline:` for the album, per track): checked in
// the same single pass as every other manifest rule, errors named by path (list positions counted
// from 1, as tracks are in the text), the track's settings filled into the definition's generating
// steps where it leaves them open, and the estimate counting each definition's steps by kind.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadAlbumManifest, type ResolvedAlbum } from '../album/manifest/manifest';
import { planAlbum } from '../album/manifest/plan';
import { planPipeline } from '../pipeline/definition/load';
import { DEFAULT_PRICES, priceOf } from '../providers/prices';
import { PROVIDER_NAMES, type StepKind } from '../providers/model';
import { loadConfig } from '../runtime/config';
import { songDefinition } from '../song/songDefinition';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'album-pipelines-'));
  await mkdir(path.join(dir, 'defs'));
  await writeFile(path.join(dir, 'defs', 'long.yaml'), stringify({ name: 'long', steps: { song: { kind: 'song' }, extend: { kind: 'extend', clip: 'song', continueAt: 10 }, take: { kind: 'concat', clips: ['song', 'extend'] } } }));
  await writeFile(path.join(dir, 'defs', 'own.yaml'), stringify({ name: 'own', steps: { song: { kind: 'song', prompt: 'my own prompt', style: 'my own style' }, wav: { kind: 'wav', clip: 'song' } } }));
  await writeFile(path.join(dir, 'defs', 'words.yaml'), stringify({ name: 'words', steps: { words: { kind: 'lyrics' }, song: { kind: 'song', lyricsFrom: 'words' } } }));
  await writeFile(path.join(dir, 'defs', 'broken.yaml'), stringify({ name: 'broken', keep: ['song', 'nope'], steps: { song: { kind: 'song' }, extend: { kind: 'extend', clip: 'sng', continueAt: 5 } } }));
  await writeFile(path.join(dir, 'defs', 'silent.yaml'), stringify({ name: 'silent', steps: { words: { kind: 'lyrics' } } }));
  await writeFile(path.join(dir, 'defs', 'cqt.yaml'), stringify({ name: 'elsewhere', provider: 'cqt', steps: { song: { kind: 'song' } } }));
  await writeFile(path.join(dir, 'verse.txt'), '[Verse]\nRain on the roof\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(manifest: Record<string, unknown>, name = 'album.yaml') {
  await writeFile(path.join(dir, name), stringify(manifest));
  return loadAlbumManifest(path.join(dir, name));
}

async function loaded(manifest: Record<string, unknown>): Promise<ResolvedAlbum> {
  const result = await load(manifest);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.album;
}

const albumOn = (provider: string, rest: Record<string, unknown>) => ({ title: 'Takes', artist: 'The Mix', provider, ...rest });

describe('album manifest: pipeline definitions', () => {
  it('runs the album-level definition on every track but those that name their own (song is the built-in)', async () => {
    const album = await loaded(
      albumOn('acedata', {
        pipeline: 'defs/long.yaml',
        defaults: { style: 'synthwave' },
        tracks: [
          { title: 'One', prompt: 'first' },
          { title: 'Two', prompt: 'second', pipeline: 'defs/own.yaml', style: 'dream pop' },
          { title: 'Three', prompt: 'third', pipeline: 'song', steps: ['song', 'wav'] },
          { title: 'Four', prompt: 'fourth', instrumental: true },
        ],
      }),
    );
    expect(album.tracks.map((t) => (t.pipeline.kind === 'song' ? 'song' : t.pipeline.given))).toEqual(['defs/long.yaml', 'defs/own.yaml', 'song', 'defs/long.yaml']);
    const plan = (n: number) => {
      const p = album.tracks[n - 1]!.pipeline;
      if (p.kind !== 'definition') throw new Error(`track ${n} runs the song pipeline`);
      return p.plan;
    };
    // The generating step gets the track's prompt, title and style; the steps that read a clip keep their own.
    expect(plan(1).steps.map((s) => [s.name, s.params])).toEqual([
      ['song', { prompt: 'first', title: 'One', style: 'synthwave' }],
      ['extend', { continueAt: 10 }],
      ['take', {}],
    ]);
    expect(plan(1).final).toBe('take');
    // What the definition sets itself wins; only the title was open.
    expect(plan(2).steps.find((s) => s.name === 'song')!.params).toEqual({ prompt: 'my own prompt', style: 'my own style', title: 'Two' });
    expect(plan(2).final).toBe('song');
    expect(plan(4).steps.find((s) => s.name === 'song')!.params).toMatchObject({ prompt: 'fourth', instrumental: true });
    expect(album.tracks[2]!.steps).toEqual(['song', 'wav']);
    expect(album.tracks[0]!.steps).toEqual([]);
  });

  it('gives a lyrics file to the generating step, the track prompt to a lyrics step, and the album persona to vocal tracks', async () => {
    const given = await loaded(
      albumOn('acedata', {
        pipeline: 'defs/long.yaml',
        persona: { strategy: 'given', personaId: 'voice-1' },
        tracks: [
          { title: 'One', lyricsFile: 'verse.txt', style: 'folk' },
          { title: 'Two', prompt: 'second', pipeline: 'defs/words.yaml' },
        ],
      }),
    );
    const [one, two] = given.tracks.map((t) => (t.pipeline.kind === 'definition' ? t.pipeline : undefined));
    expect(one!.plan.steps[0]!.params).toMatchObject({ lyrics: '[Verse]\nRain on the roof', personaId: 'voice-1', prompt: 'folk' });
    expect(two!.plan.steps.map((s) => [s.name, s.params.prompt, s.params.lyrics])).toEqual([
      ['words', 'second', undefined],
      ['song', 'second', undefined],
    ]);

    // A persona the persona track makes is filled in by the workflow: the plan names the steps.
    const fromTrack = await loaded(
      albumOn('acedata', {
        pipeline: 'defs/long.yaml',
        persona: { strategy: 'from-track', track: 1 },
        tracks: [
          { title: 'One', prompt: 'first', pipeline: 'song' },
          { title: 'Two', prompt: 'second' },
          { title: 'Three', prompt: 'third', instrumental: true },
        ],
      }),
    );
    const definitionOf = (n: number) => {
      const p = fromTrack.tracks[n - 1]!.pipeline;
      return p.kind === 'definition' ? p : undefined;
    };
    expect(definitionOf(2)!.personaSteps).toEqual(['song']);
    expect(definitionOf(2)!.plan.steps[0]!.params.personaId).toBeUndefined();
    expect(definitionOf(3)!.personaSteps).toEqual([]);
  });

  it('lists every problem in one pass: fields, lyrics files and definitions, each with its path, tracks counted from 1', async () => {
    const result = await load(
      albumOn('acedata', {
        pipeline: 'defs/broken.yaml',
        colour: 'blue',
        persona: { strategy: 'from-track', track: 2 },
        tracks: [
          { title: 'One', prompt: 'first' },
          { title: 'Two', prompt: 'second', pipeline: 'defs/own.yaml', steps: ['song'] },
          { title: 'Three', lyricsFile: 'missing.txt', style: 'folk', pipeline: 'song' },
          { title: 'Four', prompt: 'fourth', pipeline: 'defs/nope.yaml' },
          { title: 'Five', prompt: 'fifth', pipeline: 'defs/silent.yaml' },
          { title: 'Six', prompt: 'sixth', pipeline: 'defs/cqt.yaml' },
          { title: 'Seven', prompt: 'seventh' },
        ],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'colour: unknown field',
      'persona.track: track 2 runs the definition defs/own.yaml; the album\'s persona is made by a track on the built-in song pipeline (give it pipeline: song)',
      'pipeline: defs/broken.yaml: keep[2]: no step named "nope" (tracks 1, 7)',
      'pipeline: defs/broken.yaml: steps.extend.clip: no step named "sng" (steps: song, extend) (tracks 1, 7)',
      'tracks[2].steps: not used by a track that runs the definition defs/own.yaml (its steps are the definition\'s); remove steps, or set pipeline: song',
      `tracks[3].lyricsFile: missing.txt: no such file (looked for ${path.join(dir, 'missing.txt')})`,
      `tracks[4].pipeline: defs/nope.yaml: no such file (looked for ${path.join(dir, 'defs', 'nope.yaml')})`,
      'tracks[5].pipeline: defs/silent.yaml: makes no audio to put on the album (no kept step makes audio)',
      'tracks[6].pipeline: defs/cqt.yaml: names provider cqt, but the album runs on acedata (remove it from the definition, or run the album on cqt)',
    ]);
  });

  it('checks a definition against the album provider with the track settings filled in', async () => {
    // anyint offers no concat: the long take cannot run there.
    const result = await load(albumOn('anyint', { tracks: [{ title: 'One', prompt: 'p', pipeline: 'defs/long.yaml' }] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([expect.stringMatching(/^tracks\[1\]\.pipeline: defs\/long\.yaml: steps\.take\.kind: provider anyint does not offer concat/)]);
  });

  it("estimates each definition's steps by kind from the price table", async () => {
    await writeFile(path.join(dir, 'estimate.yaml'), stringify(albumOn('acedata', { pipeline: 'defs/long.yaml', tracks: [{ title: 'One', prompt: 'p' }, { title: 'Two', prompt: 'q', pipeline: 'song', steps: ['song', 'wav'] }] })));
    const planned = await planAlbum(path.join(dir, 'estimate.yaml'), loadConfig({}), { out: path.join(dir, 'out'), callbacks: false });
    if (!planned.ok) throw new Error(planned.errors.join('\n'));
    const price = (...kinds: StepKind[]) => kinds.reduce((n, k) => n + priceOf(DEFAULT_PRICES, 'acedata', k)!.credits, 0);
    expect(planned.plan.estimate.perTrack.map((t) => t.credits)).toEqual([price('song', 'extend', 'concat'), price('song', 'wav')]);
    expect(planned.plan.input.tracks[0]!.pipeline?.plan.final).toBe('take');
    expect(planned.plan.input.prices).toMatchObject({ extend: priceOf(DEFAULT_PRICES, 'acedata', 'extend')!.credits });
  });
});

describe('definitions: final', () => {
  const steps = { song: { kind: 'song', prompt: 'p' }, wav: { kind: 'wav', clip: 'song' }, more: { kind: 'extend', clip: 'song', continueAt: 5 } };
  it('defaults to the last kept step that makes audio', async () => {
    const planned = await planPipeline({ name: 'x', provider: 'acedata', steps });
    expect(planned.ok && planned.plan.final).toBe('more');
    const kept = await planPipeline({ name: 'x', provider: 'acedata', keep: ['song', 'wav'], steps });
    expect(kept.ok && kept.plan.final).toBe('song');
  });
  it('must name a kept step that makes audio', async () => {
    const errorsOf = async (extra: Record<string, unknown>) => {
      const planned = await planPipeline({ name: 'x', provider: 'acedata', steps, ...extra });
      return planned.ok ? [] : planned.errors;
    };
    expect(await errorsOf({ final: 'wav' })).toEqual(['final: must name a step that makes audio (a wav step does not): "wav"']);
    expect(await errorsOf({ final: 'nope' })).toEqual(['final: no step named "nope" (steps: song, wav, more)']);
    expect(await errorsOf({ final: 'more', keep: ['song'] })).toEqual(['final: step "more" is not kept (add it to keep)']);
  });
});

describe('the built-in song definition', () => {
  it('passes the checker on every provider, with the steps npm run song would run there', async () => {
    for (const provider of PROVIDER_NAMES) {
      const definition = songDefinition({ provider, request: { prompt: 'rain on a window', instrumental: false } });
      const planned = await planPipeline(definition);
      if (!planned.ok) throw new Error(`${provider}: ${planned.errors.join('; ')}`);
      expect(planned.plan.final).toBe('song');
      expect(planned.plan.steps.map((s) => s.name).includes('song')).toBe(true);
    }
  });

  it('leaves out what songPipeline leaves out: lyrics for own lyrics or an instrumental, persona and timed lyrics on an instrumental', () => {
    const own = songDefinition({ provider: 'anyint', request: { prompt: 'p', lyrics: 'la la', instrumental: false }, steps: ['lyrics', 'song', 'persona', 'wav'] });
    expect(Object.keys(own.steps)).toEqual(['song', 'persona', 'wav']);
    expect(own.steps.song).toMatchObject({ lyrics: 'la la' });
    const instrumental = songDefinition({ provider: 'anyint', request: { prompt: 'p', instrumental: true }, steps: ['lyrics', 'song', 'persona', 'timestamped-lyrics', 'wav'] });
    expect(Object.keys(instrumental.steps)).toEqual(['song', 'wav']);
    const written = songDefinition({ provider: 'anyint', request: { prompt: 'p', instrumental: false, personaId: 'v1' }, steps: ['lyrics', 'song', 'persona'] });
    expect(Object.keys(written.steps)).toEqual(['lyrics', 'song']);
    expect(written.steps.song).toMatchObject({ lyricsFrom: 'lyrics', persona: 'v1' });
  });

  it('npm run pipeline -- --builtin song --print prints YAML that the checker accepts', async () => {
    const printed = await new Promise<string>((resolve, reject) =>
      execFile('npx', ['tsx', 'scripts/pipeline.ts', '--builtin', 'song', '--print', '--provider', 'cqt'], { cwd: path.resolve(__dirname, '..'), env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9' }, timeout: 60_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    expect(printed).toMatch(/^# The built-in song pipeline/);
    const planned = await planPipeline(parse(printed), { provider: 'cqt' });
    if (!planned.ok) throw new Error(planned.errors.join('; '));
    expect(planned.plan.steps.map((s) => s.kind)).toEqual(['lyrics', 'song', 'persona', 'stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics']);
  }, 90_000);
});
