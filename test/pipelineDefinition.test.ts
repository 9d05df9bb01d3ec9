// Pipeline definitions are checked before anything starts: every class of error is reported with
// its path, all in one pass, and a sound definition becomes a plan in an order the workflow can run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adapterFor } from '../providers/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPipeline, planPipelineText } from '../pipeline/definition/load';
import { runFfmpeg } from '../runtime/ffmpeg';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'pipeline-def-'));
  await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'libmp3lame', path.join(scratch, 'demo.mp3')]);
  await writeFile(path.join(scratch, 'not-audio.mp3'), 'this is text, not audio');
  await writeFile(path.join(scratch, 'words.txt'), 'first line\nsecond line\n');
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function errorsOf(definition: unknown, provider: 'anyint' | 'acedata' | 'newapi' | 'cqt' | 'aimusicapi' = 'acedata'): Promise<string[]> {
  const result = await planPipeline(definition, { provider, baseDir: scratch });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

const fullLengthSong = {
  name: 'full-length-song',
  steps: {
    song: { kind: 'song', prompt: 'a song about night drives', style: 'synthwave' },
    extend: { kind: 'extend', clip: 'song', continueAt: 50, lyrics: 'and the road goes on' },
    join: { kind: 'concat', clips: ['song', 'extend'] },
    wav: { kind: 'wav', clip: 'join' },
  },
};

describe('a sound definition', () => {
  it('becomes a plan with every step after the steps it reads', async () => {
    const result = await planPipeline(
      { ...fullLengthSong, steps: { wav: fullLengthSong.steps.wav, join: fullLengthSong.steps.join, extend: fullLengthSong.steps.extend, song: fullLengthSong.steps.song } },
      { provider: 'acedata' },
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.plan.steps.map((s) => s.name)).toEqual(['song', 'extend', 'join', 'wav']);
    expect(result.plan.steps.find((s) => s.name === 'join')).toMatchObject({ kind: 'concat', inputs: { clips: ['song', 'extend'] }, after: ['song', 'extend'], keep: true, choose: 'first' });
    expect(result.plan.steps.find((s) => s.name === 'extend')?.params).toEqual({ continueAt: 50, lyrics: 'and the road goes on' });
    expect(result.plan).toMatchObject({ name: 'full-length-song', provider: 'acedata', concurrency: 4 });
  });

  it('reads YAML, lyrics files and the user audio relative to the definition', async () => {
    const yaml = `
name: cover-my-demo
provider: cqt
keep: [wav]
steps:
  upload:
    kind: upload
    audio: upload:demo.mp3
  cover:
    kind: cover
    clip: upload
    style: jazz trio
    lyricsFile: words.txt
    choose: 2
  wav:
    kind: wav
    clip: cover
`;
    const result = await planPipelineText(yaml, { baseDir: scratch });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const [upload, cover, wav] = result.plan.steps;
    expect(upload?.inputs.audioFile).toBe(path.join(scratch, 'demo.mp3'));
    expect(cover).toMatchObject({ params: { lyrics: 'first line\nsecond line', style: 'jazz trio' }, choose: { index: 2 }, keep: false });
    expect(wav?.keep).toBe(true);
  });
});

describe('every class of error, named by its path', () => {
  it('an unknown kind, an unknown field (with the near name) and a parameter out of range', async () => {
    const errors = await errorsOf({
      name: 'bad',
      steps: {
        song: { kind: 'sing', prompt: 'x' },
        extend: { kind: 'extend', clip: 'song', continueat: 30 },
        sfx: { kind: 'sound-effect', prompt: 'thunder', seconds: 300 },
      },
    });
    expect(errors).toContainEqual(expect.stringMatching(/^steps\.song\.kind: must be one of lyrics, song, /));
    expect(errors).toContain('steps.extend.continueat: unknown field (did you mean continueAt?)');
    expect(errors).toContain('steps.sfx.seconds: must be at most 30 (got 300)');
  });

  it('a reference to a missing step, to a step that makes no audio, and to itself', async () => {
    const errors = await errorsOf({
      name: 'refs',
      steps: {
        words: { kind: 'lyrics', prompt: 'rain' },
        song: { kind: 'song', prompt: 'x', lyricsFrom: 'words' },
        extend: { kind: 'extend', clip: 'sogn', continueAt: 10 },
        wav: { kind: 'wav', clip: 'words' },
        loop: { kind: 'remaster', clip: 'loop' },
      },
    });
    expect(errors).toContain('steps.extend.clip: no step named "sogn" (steps: words, song, extend, wav, loop)');
    expect(errors).toContain('steps.wav.clip: must name a step that makes audio (a lyrics step does not): "words"');
    expect(errors).toContain('steps.loop.clip: a step cannot read its own output');
  });

  it('the inputs of inspiration, crop and custom-model, and each dialect refusing the other\'s inspiration input by field', async () => {
    const errors = await errorsOf({
      name: 'new-kinds',
      steps: {
        song: { kind: 'song', prompt: 'x' },
        nothing: { kind: 'inspiration', prompt: 'like these' },
        many: { kind: 'inspiration', clips: ['song', 'song', 'song', 'song', 'song'] },
        five: { kind: 'inspiration', clips: ['song', 'song', 'song', 'song'], audio: 'upload:demo.mp3' },
        listed: { kind: 'inspiration', playlist: 'pl-1' },
        cut: { kind: 'crop', clip: 'song' },
        model: { kind: 'custom-model', clips: ['song', 'song'], name: 'mine' },
      },
    });
    expect(errors).toContain('steps.nothing.clips: a inspiration step needs clips or audio or playlist');
    expect(errors).toContain('steps.many.clips: lists 5 clips; a inspiration step takes 1 to 4');
    expect(errors).toContain('steps.listed: provider acedata cannot take the field playlistId of the inspiration step');
    expect(errors).toContain('steps.five.audio: a inspiration step takes at most 4 references in all (clips and audio), got 5');
    expect(errors).toContain('steps.cut.section: required for a crop step');
    expect(errors).toContain('steps.cut.kind: provider acedata does not offer crop (it offers: ' + adapterFor('acedata').capabilities.join(', ') + ')');
    expect(errors).toContain('steps.model.clips: lists 2 clips; a custom-model step takes 6 to 8');
    const onCqt = await errorsOf({ name: 'refs', steps: { song: { kind: 'song', prompt: 'x' }, again: { kind: 'inspiration', clips: ['song'] } } }, 'cqt');
    expect(onCqt).toContain('steps.again: provider cqt cannot take the field sources of the inspiration step');
  });

  it('a cycle, named step by step', async () => {
    const errors = await errorsOf({
      name: 'cycle',
      steps: {
        a: { kind: 'remaster', clip: 'b' },
        b: { kind: 'remaster', clip: 'a' },
      },
    });
    expect(errors).toContain('steps.a: the steps read each other in a loop: a → b → a');
  });

  it('inputs and parameters a kind does not take, or needs and lacks', async () => {
    const errors = await errorsOf({
      name: 'rules',
      steps: {
        song: { kind: 'song', prompt: 'x' },
        wav: { kind: 'wav', clip: 'song', continueAt: 3 },
        extend: { kind: 'extend', clip: 'song' },
        replace: { kind: 'replace-section', clip: 'song', section: { start: 20, end: 10 } },
        mash: { kind: 'mashup', clips: ['song'] },
        twice: { kind: 'song', lyrics: 'a', lyricsFile: 'words.txt' },
      },
    });
    expect(errors).toContain('steps.wav.continueAt: a wav step takes no continueAt');
    expect(errors).toContain('steps.extend.continueAt: required for a extend step');
    expect(errors).toContain('steps.replace.section.end: must be after start (20 s), got 10 s');
    expect(errors).toContain('steps.mash.clips: a mashup step joins exactly 2 clips (it lists 1)');
    expect(errors).toContain('steps.twice.lyricsFile: give lyrics or lyricsFile, not both');
  });

  it('a step the provider does not offer, and a field its dialect cannot send', async () => {
    const errors = await errorsOf(fullLengthSong, 'anyint');
    expect(errors).toContainEqual(expect.stringMatching(/^steps\.join\.kind: provider anyint does not offer concat \(it offers: /));
    const fields = await errorsOf(
      { name: 'fields', steps: { song: { kind: 'song', prompt: 'x' }, extend: { kind: 'extend', clip: 'song', continueAt: 10, weights: { audio: 0.5 } } } },
      'newapi',
    );
    expect(fields).toContain('steps.extend: provider newapi cannot take the field weights.audio of the extend step');
  });

  it('the user audio: missing, not audio, wrong kind of file', async () => {
    const errors = await errorsOf({
      name: 'uploads',
      steps: {
        a: { kind: 'upload', audio: 'upload:nowhere.mp3' },
        b: { kind: 'upload', audio: 'upload:not-audio.mp3' },
        c: { kind: 'upload', audio: 'upload:words.txt' },
      },
    }, 'cqt');
    expect(errors).toContainEqual(expect.stringMatching(/^steps\.a\.audio: nowhere\.mp3: no such file/));
    expect(errors).toContain('steps.b.audio: not-audio.mp3: does not decode as audio (ffprobe could not read it)');
    expect(errors).toContain('steps.c.audio: words.txt: must be an audio file (.mp3, .wav, .m4a, .flac), not .txt');
  });

  it('reports the problems of every step in one pass', async () => {
    const errors = await errorsOf({
      name: 'many',
      steps: {
        one: { kind: 'wav' },
        two: { kind: 'extend', clip: 'one' },
        three: { kind: 'concat', clips: ['x', 'y'] },
      },
    });
    expect(errors.filter((e) => e.startsWith('steps.one'))).not.toEqual([]);
    expect(errors.filter((e) => e.startsWith('steps.two'))).not.toEqual([]);
    expect(errors.filter((e) => e.startsWith('steps.three'))).not.toEqual([]);
  });

  it('a YAML syntax error names the line', async () => {
    const result = await planPipelineText('name: x\nsteps:\n  a: {kind: song\n', { file: 'my.yaml' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^my\.yaml:\d+:\d+: /);
  });
});
