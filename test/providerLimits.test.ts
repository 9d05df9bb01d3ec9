// Long text is refused, not cut: each dialect declares how much it takes per field (providers/limits.ts),
// every request built through the registry is held against it, and the commands check every step
// (every album track, every pipeline step) in one pass before anything is paid for. The commands run
// as a user runs them, with TEMPORAL_ADDRESS at a closed port: a command that got as far as
// contacting Temporal would fail with a different message.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { songPipelineLimitProblems, TEXT_LIMITS, textLimitProblems } from '../providers/limits';
import { PROVIDER_NAMES } from '../providers/model';
import { adapterFor } from '../providers/registry';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

describe('declared limits', () => {
  it('gives every dialect a positive limit for every field', () => {
    for (const provider of PROVIDER_NAMES) {
      for (const [field, limit] of Object.entries(TEXT_LIMITS[provider])) expect(Number.isInteger(limit) && limit > 0, `${provider}.${field}`).toBe(true);
    }
  });

  it('names the field, its length, the limit and the provider for a 10,000-character prompt, for the lyrics step and the style it stands in for', () => {
    const problems = songPipelineLimitProblems('anyint', { prompt: 'p'.repeat(10_000), instrumental: false }, ['lyrics', 'song']);
    expect(problems).toEqual([
      'prompt: 10000 characters, but anyint takes at most 200 as the theme of the lyrics step',
      'prompt: 10000 characters, but anyint takes at most 1000 as the style (no style was given)',
    ]);
  });

  it('holds a described song to the description limit and a custom-mode song to the lyrics, style and title limits', () => {
    expect(textLimitProblems('acedata', { kind: 'song', song: { prompt: 'd'.repeat(201), instrumental: true } })).toEqual([
      'prompt: 201 characters, but acedata takes at most 200 as the description of the song',
    ]);
    expect(textLimitProblems('cqt', { kind: 'song', song: { prompt: 'short', lyrics: 'l'.repeat(5001), style: 's'.repeat(1001), title: 't'.repeat(81), instrumental: false } })).toEqual([
      'lyrics: 5001 characters, but cqt takes at most 5000',
      'style: 1001 characters, but cqt takes at most 1000',
      'title: 81 characters, but cqt takes at most 80',
    ]);
    // At the limit nothing is said.
    expect(textLimitProblems('cqt', { kind: 'song', song: { prompt: 'short', lyrics: 'l'.repeat(5000), style: 's'.repeat(1000), title: 't'.repeat(80), instrumental: false } })).toEqual([]);
  });

  it('checks the text of transforms', () => {
    const problems = textLimitProblems('acedata', { kind: 'extend', transform: { sources: [{ taskId: 't', clipId: 'c' }], title: 'x'.repeat(120) } } as never);
    expect(problems).toEqual(['title: 120 characters, but acedata takes at most 80']);
  });
});

describe('requests built through the registry', () => {
  it('refuses text over the limit by name, for every dialect, instead of cutting it', () => {
    for (const provider of PROVIDER_NAMES) {
      const adapter = adapterFor(provider);
      const title = 't'.repeat(TEXT_LIMITS[provider].title + 1);
      expect(() => adapter.buildSubmit({ kind: 'song', song: { prompt: 'rain', lyrics: 'la la', title, style: 'pop', instrumental: false } }, undefined), provider).toThrow(
        new RegExp(`too long for ${provider}: title: ${title.length} characters, but ${provider} takes at most ${TEXT_LIMITS[provider].title}; nothing was submitted`),
      );
    }
  });

  it('sends text up to the limit whole: the lyrics prompt and the style a prompt stands in for are no longer cut', () => {
    const lyricsPrompt = 'w'.repeat(TEXT_LIMITS.anyint.lyricsPrompt);
    expect(adapterFor('anyint').buildSubmit({ kind: 'lyrics', lyrics: { prompt: lyricsPrompt } }, undefined).body).toMatchObject({ prompt: lyricsPrompt });
    const asStyle = 'v'.repeat(TEXT_LIMITS.anyint.style);
    expect(adapterFor('anyint').buildSubmit({ kind: 'song', song: { prompt: asStyle, lyrics: 'la la', instrumental: false } }, undefined).body).toMatchObject({ style: asStyle });
    const description = 'q'.repeat(TEXT_LIMITS.cqt.description);
    expect(adapterFor('cqt').buildSubmit({ kind: 'song', song: { prompt: description, instrumental: true } }, undefined).body).toMatchObject({ prompt: description });
  });
});

describe('the commands refuse long text before anything starts', () => {
  let scratch: string;
  let closedAddress: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'provider-limits-'));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedAddress = `127.0.0.1:${(probe.address() as { port: number }).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  function run(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
      env[key] = value;
    }
    Object.assign(env, { FORCE_COLOR: '0', TEMPORAL_ADDRESS: closedAddress, OUT_DIR: path.join(scratch, 'out') });
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT, env, timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
  }

  it('song: a 10,000-character prompt exits 2 naming the field, the limit and the provider', async () => {
    const { code, stderr } = await run('scripts/song.ts', ['--prompt', 'p'.repeat(10_000)]);
    expect(code).toBe(2);
    expect(stderr).toContain('too long for anyint; nothing was submitted');
    expect(stderr).toContain('prompt: 10000 characters, but anyint takes at most 200 as the theme of the lyrics step');
    expect(stderr).not.toContain('no Temporal server answers');
  }, 90_000);

  it('album: every track over a limit is named in one pass', async () => {
    const manifest = path.join(scratch, 'long-album.yaml');
    await writeFile(
      manifest,
      [
        'title: Too Much To Say',
        'artist: Verbose',
        'provider: anyint',
        'tracks:',
        `  - title: First`,
        `    prompt: ${'a'.repeat(300)}`,
        `  - title: Fine`,
        `    prompt: a short one`,
        `  - title: ${'T'.repeat(90)}`,
        `    prompt: short too`,
        '',
      ].join('\n'),
    );
    const { code, stderr } = await run('scripts/album.ts', [manifest]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/track 1 \("First"\): prompt: 300 characters, but anyint takes at most 200 as the theme of the lyrics step/);
    expect(stderr).toMatch(/track 3 \("T+"\): title: 90 characters, but anyint takes at most 80/);
    expect(stderr).not.toMatch(/track 2/);
    expect(stderr).not.toContain('no Temporal server answers');
  }, 90_000);

  it('pipeline: a step whose text is over the limit is refused with its path', async () => {
    const definition = path.join(scratch, 'long-pipeline.yaml');
    await writeFile(definition, ['name: long-theme', 'provider: anyint', 'steps:', '  words:', '    kind: lyrics', `    prompt: ${'w'.repeat(300)}`, ''].join('\n'));
    const { code, stderr } = await run('scripts/pipeline.ts', [definition, '--check']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/steps\.words.*prompt: 300 characters, but anyint takes at most 200 as the theme of the lyrics step/);
  }, 90_000);
});
