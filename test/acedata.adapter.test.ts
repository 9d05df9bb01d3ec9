// The AceData Cloud adapter against its seed and its family's documents: /suno/audios actions,
// synchronous routes (lyrics, persona, MP4, timing), task records from /suno/tasks at every stage,
// streamed partial clips, stems titles, `{success:false, error}` envelopes and the one callback.
import { describe, expect, it } from 'vitest';
import { acedata } from '../providers/acedata/adapter';
import { ProviderError } from '../providers/errors';
import type { ClipRef } from '../providers/model';
import { WireFormatError } from '../providers/wire';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const source: ClipRef = { taskId: 'e72fb249-bd5b-4e2a-b20c-8a06fea5ac14', clipId: 'b481b17a-bf50-4e10-8adc-4d5635050893', audioUrl: 'https://cdn1.suno.ai/b481b17a.mp3' };
const CB = 'https://cb.example/callbacks/tok';

function audio(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    title: 'Under the Mistletoe',
    image_url: `https://cdn2.suno.ai/image_${id}.jpeg`,
    lyric: '[Verse]\nSnowflakes falling',
    audio_url: `https://cdn1.suno.ai/${id}.mp3`,
    video_url: '',
    created_at: '2025-06-17T15:59:32.468Z',
    model: 'chirp-auk',
    state: 'succeeded',
    prompt: 'A song for Christmas',
    style: 'holiday, cheerful, male vocals',
    duration: 154.92,
    ...over,
  };
}

function record(id: string, response: unknown, extra: Record<string, unknown> = {}) {
  return { _id: '66d2add5550a4144a5a88dfe', id, api_id: 'x', created_at: 1725083093.077, request: { action: 'generate', prompt: 'A song for Christmas' }, trace_id: 't', ...extra, response };
}

describe('acedata requests', () => {
  it('generates a described song asynchronously with the newest model and the callback URL', () => {
    const call = acedata.buildSubmit({ kind: 'song', song: { prompt: 'A song for Christmas', instrumental: false } }, CB);
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/audios',
      body: { action: 'generate', model: 'chirp-v5-5', callback_url: CB, async: true, custom: false, instrumental: false, prompt: 'A song for Christmas' },
    });
  });

  it('sends our lyrics in custom mode, and refuses an inspiration prompt over 200 characters instead of cutting it', () => {
    const custom = acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', lyrics: '[Verse]\nla', title: 'T', style: 'pop', instrumental: false, model: 'chirp-v4-5' } }, undefined);
    expect(custom.body).toEqual({ action: 'generate', model: 'chirp-v4-5', async: true, custom: true, instrumental: false, lyric: '[Verse]\nla', title: 'T', style: 'pop' });
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'a'.repeat(500), instrumental: true } }, undefined)).toThrow(/prompt.*200/);
  });

  it('sings with a persona through the artist_consistency action', () => {
    const call = acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', lyrics: 'la', instrumental: false, personaId: 'e0d7319e' } }, undefined);
    expect(call.body).toMatchObject({ action: 'artist_consistency', persona_id: 'e0d7319e', custom: true, lyric: 'la' });
  });

  it('uses the own routes for lyrics, persona, WAV, MP4 and timings, and audios actions for stems', () => {
    expect(acedata.buildSubmit({ kind: 'lyrics', lyrics: { prompt: 'A song about winter' } }, CB)).toEqual({ method: 'POST', path: '/suno/lyrics', body: { prompt: 'A song about winter' } });
    expect(acedata.buildSubmit({ kind: 'persona', persona: { source, name: 'test', description: 'warm voice' } }, CB)).toEqual({
      method: 'POST',
      path: '/suno/persona',
      body: { audio_id: source.clipId, name: 'test', description: 'warm voice' },
    });
    expect(acedata.buildSubmit({ kind: 'stems', source }, undefined).body).toEqual({ action: 'stems', audio_id: source.clipId, async: true });
    expect(acedata.buildSubmit({ kind: 'all-stems', source }, CB).body).toEqual({ action: 'all_stems', audio_id: source.clipId, callback_url: CB, async: true });
    expect(acedata.buildSubmit({ kind: 'wav', source }, CB)).toEqual({ method: 'POST', path: '/suno/wav', body: { audio_id: source.clipId, callback_url: CB, async: true } });
    expect(acedata.buildSubmit({ kind: 'mp4', source }, CB)).toEqual({ method: 'POST', path: '/suno/mp4', body: { audio_id: source.clipId } });
    expect(acedata.buildSubmit({ kind: 'timestamped-lyrics', source }, CB)).toEqual({ method: 'POST', path: '/suno/timing', body: { audio_id: source.clipId } });
  });

  it('refuses cover art (no route) naming the provider and the step, and bad input naming the field', () => {
    expect(() => acedata.buildSubmit({ kind: 'cover-art', source }, undefined)).toThrow(/acedata.*cover-art/);
    expect(() => acedata.buildSubmit({ kind: 'stems', source: { ...source, clipId: '' } }, undefined)).toThrow(/audio_id/);
  });

  it('reads tasks one at a time or in a batch through /suno/tasks', () => {
    expect(acedata.buildQuery('song', 'eae26f89')).toEqual({ method: 'POST', path: '/suno/tasks', body: { id: 'eae26f89', action: 'retrieve' } });
    expect(acedata.buildBatchQuery!('song', ['a', 'b'])).toEqual({ method: 'POST', path: '/suno/tasks', body: { ids: ['a', 'b'], action: 'retrieve_batch' } });
  });
});

describe('acedata submit answers', () => {
  it('takes the task id of an asynchronous submit', () => {
    expect(acedata.parseSubmit('song', { task_id: '44472ab8-783b-4054-b861-5bf14e462f60' })).toEqual({ taskId: '44472ab8-783b-4054-b861-5bf14e462f60' });
    expect(acedata.parseSubmit('wav', { success: true, task_id: 12345, trace_id: 'x' })).toEqual({ taskId: '12345' });
  });

  it('returns synchronous answers as completed results', () => {
    const lyrics = acedata.parseSubmit('lyrics', {
      success: true,
      task_id: '57e8ce3a',
      data: { text: "[Verse]\nSnowflakes falling from the sky", title: "Winter's Cold Touch", status: 'complete' },
    });
    expect(lyrics).toEqual({
      taskId: '57e8ce3a',
      completed: { taskId: '57e8ce3a', state: 'succeeded', providerStatus: 'succeeded', clips: [], lyrics: [{ text: "[Verse]\nSnowflakes falling from the sky", title: "Winter's Cold Touch" }] },
    });
    expect(acedata.parseSubmit('persona', { success: true, task_id: '8e80', data: { persona_id: 'dae4ae5d' } }).completed?.outputs).toEqual({ personaId: 'dae4ae5d' });
    expect(acedata.parseSubmit('mp4', { success: true, task_id: '03ae', trace_id: 't', data: { video_url: 'https://cdn1.suno.ai/x.mp4' } }).completed?.outputs).toEqual({ videoUrl: 'https://cdn1.suno.ai/x.mp4' });
    const timing = acedata.parseSubmit('timestamped-lyrics', {
      success: true,
      task_id: 'ccf7',
      data: {
        aligned_words: [
          { word: '[Verse]\nSnowflakes ', success: true, start_s: 2.63, end_s: 3.43, p_align: 0.531 },
          { word: 'dance ', success: true, start_s: '3.43', end_s: '3.91', p_align: 0.911 },
          { word: 'lost ', success: false, start_s: 0, end_s: 0 },
        ],
      },
    });
    expect(timing.completed?.outputs?.alignedWords).toEqual([
      { word: '[Verse]\nSnowflakes ', startSeconds: 2.63, endSeconds: 3.43 },
      { word: 'dance ', startSeconds: 3.43, endSeconds: 3.91 },
    ]);
  });

  it('keeps a synchronous answer that is not finished as a task to poll', () => {
    expect(acedata.parseSubmit('song', { success: true, task_id: 'x', data: [audio('a', { state: 'pending', audio_url: '' })] })).toEqual({ taskId: 'x' });
  });

  it('throws classified errors for success:false, keeping the message', () => {
    const cases: [string, string][] = [
      ['forbidden', 'rejected'],
      ['bad_request', 'rejected'],
      ['invalid_token', 'auth'],
      ['used_up', 'billing'],
      ['too_many_requests', 'throttled'],
      ['api_error', 'unavailable'],
      ['timeout', 'unavailable'],
    ];
    for (const [code, errorClass] of cases) {
      const err = errorOf(() => acedata.parseSubmit('song', { success: false, error: { code, message: `message ${code}` }, trace_id: 't', task_id: 'x' }));
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).errorClass).toBe(errorClass);
      expect((err as ProviderError).code).toBe(code);
      expect((err as ProviderError).providerMessage).toBe(`message ${code}`);
    }
  });

  it('treats a submit answer without a task id as ambiguous', () => {
    expect((errorOf(() => acedata.parseSubmit('song', { success: true })) as ProviderError).errorClass).toBe('ambiguous');
  });

  it('classifies HTTP statuses: 403 is moderation here', () => {
    expect(acedata.classify(403)).toBe('rejected');
    expect(acedata.classify(401)).toBe('auth');
    expect(acedata.classify(429)).toBe('throttled');
    expect(acedata.classify(504)).toBe('unavailable');
  });
});

describe('acedata task records', () => {
  it('is queued or running before the record has a response', () => {
    expect(acedata.parseQuery('song', 't1', record('t1', undefined)).state).toBe('queued');
    expect(acedata.parseQuery('song', 't1', record('t1', null, { state: 'processing' })).state).toBe('running');
  });

  it('follows clip states: pending, running with a preview URL, then succeeded', () => {
    const pending = acedata.parseQuery('song', 't1', record('t1', { success: true, task_id: 't1', data: [audio('a', { state: 'pending', audio_url: '', duration: null }), audio('b', { state: 'pending', audio_url: '' })] }));
    expect(pending.state).toBe('running');
    const streaming = acedata.parseQuery('song', 't1', record('t1', { success: true, task_id: 't1', data: [audio('a'), audio('b', { state: 'running', audio_url: 'https://audiopipe.suno.ai/?item_id=b', duration: undefined })] }));
    expect(streaming.state).toBe('partial');
    const done = acedata.parseQuery('song', 't1', record('t1', { success: true, task_id: 't1', data: [audio('a', { duration: '154.92' }), audio('b', { extra: { nested: true } })] }));
    expect(done.state).toBe('succeeded');
    expect(done.clips[0]).toEqual({
      id: 'a',
      title: 'Under the Mistletoe',
      audioUrl: 'https://cdn1.suno.ai/a.mp3',
      imageUrl: 'https://cdn2.suno.ai/image_a.jpeg',
      durationSeconds: 154.92,
      tags: 'holiday, cheerful, male vocals',
      lyrics: '[Verse]\nSnowflakes falling',
    });
  });

  it('reads older records whose clips carry no state', () => {
    const old = acedata.parseQuery('song', 't2', record('t2', { success: true, task_id: 't2', data: [audio('a', { state: undefined, model: 'chirp-v3.5' })] }));
    expect(old.state).toBe('succeeded');
  });

  it('drops errored clips and fails when every clip errored', () => {
    const one = acedata.parseQuery('song', 't3', record('t3', { success: true, task_id: 't3', data: [audio('a'), audio('b', { state: 'error', audio_url: '' })] }));
    expect(one.state).toBe('succeeded');
    expect(one.clips.map((c) => c.id)).toEqual(['a']);
    const all = acedata.parseQuery('song', 't3', record('t3', { success: true, task_id: 't3', data: [audio('a', { state: 'error' })] }));
    expect(all.state).toBe('failed');
  });

  it('reports a failed task with its reason and whether a new submit can help', () => {
    const moderated = acedata.parseQuery('song', 't4', record('t4', { success: false, error: { code: 'forbidden', message: 'Song Description contained artist name: eminem' }, task_id: 't4' }));
    expect(moderated.state).toBe('failed');
    expect(moderated.failure).toEqual({ reason: 'Song Description contained artist name: eminem', retryable: false });
    const busy = acedata.parseQuery('song', 't4', record('t4', { success: false, error: { code: 'api_error', message: 'no available worker in system' } }));
    expect(busy.failure).toEqual({ reason: 'no available worker in system', retryable: true });
  });

  it('names stems from their titles, and numbers the second all_stems candidate set', () => {
    const stems = acedata.parseQuery('stems', 's1', record('s1', { success: true, task_id: 's1', data: [audio('v', { title: 'Deck the Sky - Vocals' }), audio('i', { title: 'Deck the Sky - Instrumental', lyric: '' })] }));
    expect(stems.outputs?.stems).toEqual([
      { name: 'vocals', url: 'https://cdn1.suno.ai/v.mp3' },
      { name: 'instrumental', url: 'https://cdn1.suno.ai/i.mp3' },
    ]);
    const names = ['Vocals', 'Backing Vocals', 'Drums'];
    const twice = [...names, ...names].map((n, i) => audio(`x${i}`, { title: `安全之弦 (${n})`, model: 'chirp-ahi-stem-12-t1' }));
    const all = acedata.parseQuery('all-stems', 's2', record('s2', { success: true, task_id: 's2', data: twice }));
    expect(all.outputs?.stems?.map((s) => s.name)).toEqual(['vocals', 'backing-vocals', 'drums', 'vocals-2', 'backing-vocals-2', 'drums-2']);
    expect(all.clips).toEqual([]);
  });

  it('reads a WAV record in either data form', () => {
    const list = acedata.parseQuery('wav', 'w1', record('w1', { success: true, task_id: 'w1', data: [{ file_url: 'https://cdn1.suno.ai/x.wav' }] }));
    expect(list).toMatchObject({ state: 'succeeded', outputs: { wavUrl: 'https://cdn1.suno.ai/x.wav' } });
    const pending = acedata.parseQuery('wav', 'w1', record('w1', { success: true, task_id: 'w1', data: [] }));
    expect(pending.state).toBe('running');
  });

  it('throws for an error envelope and for a record of another task', () => {
    const err = errorOf(() => acedata.parseQuery('song', 't', { success: false, error: { code: 'api_error', message: 'fetch failed' }, trace_id: 'x' }));
    expect((err as ProviderError).errorClass).toBe('unavailable');
    expect(() => acedata.parseQuery('song', 't', record('other', undefined))).toThrow(WireFormatError);
    expect(() => acedata.parseQuery('song', 't', record('t', { success: true, data: [{ title: 'no id' }] }))).toThrow(/id/);
  });
});

describe('acedata batch records', () => {
  it('returns one snapshot per id in the order asked', () => {
    const body = { items: [record('b', { success: true, task_id: 'b', data: [audio('b1')] }), record('a', undefined)], count: 2 };
    expect(acedata.parseBatchQuery!('song', ['a', 'b'], body).map((s) => [s.taskId, s.state])).toEqual([
      ['a', 'queued'],
      ['b', 'succeeded'],
    ]);
  });

  it('throws naming a missing id, and for error envelopes', () => {
    expect(() => acedata.parseBatchQuery!('song', ['a', 'z'], { items: [record('a', undefined)], count: '1' })).toThrow(/z/);
    expect((errorOf(() => acedata.parseBatchQuery!('song', ['a'], { success: false, error: { code: 'invalid_token', message: 'no' } })) as ProviderError).errorClass).toBe('auth');
  });
});

describe('acedata callbacks', () => {
  it('reads the one final callback', () => {
    expect(acedata.parseCallback({ success: true, task_id: '44472ab8', data: [audio('a')] })).toEqual({ taskId: '44472ab8', stage: 'complete' });
    expect(acedata.parseCallback({ success: 'true', task_id: 7 })).toEqual({ taskId: '7', stage: 'complete' });
  });

  it('marks a failed callback as the error stage', () => {
    expect(acedata.parseCallback({ success: false, task_id: 'x', error: { code: 'forbidden', message: 'artist' } })).toEqual({ taskId: 'x', stage: 'error' });
  });

  it('refuses a callback without a task id, naming the field', () => {
    expect(() => acedata.parseCallback({ success: true, data: [] })).toThrow(/task_id/);
    expect(() => acedata.parseCallback(42)).toThrow(WireFormatError);
  });

  it('resolves model names', () => {
    expect(acedata.resolveModel(undefined)).toBe('chirp-v5-5');
    expect(acedata.resolveModel('chirp-v4')).toBe('chirp-v4');
  });
});

// ---- Transforms and song options (docs/transforms-wire.md) ----

const clip: ClipRef = { taskId: 'e72fb249', clipId: 'b481b17a', durationSeconds: 154.92 };
const other: ClipRef = { taskId: 'f00', clipId: 'c9a2e1d0', durationSeconds: 100 };
const UPLOAD = 'https://files.example/me.mp3';

function body(request: Parameters<typeof acedata.buildSubmit>[0], callbackUrl?: string): unknown {
  const call = acedata.buildSubmit(request, callbackUrl);
  expect(call.method).toBe('POST');
  expect(call.path).toBe('/suno/audios');
  return call.body;
}

describe('acedata song options', () => {
  it('sends negative style, vocal gender, variation (v5+) and the sliders in custom mode', () => {
    expect(
      body({
        kind: 'song',
        song: { prompt: 'x', lyrics: '[Verse]\nla', title: 'T', style: 'pop', instrumental: false, negativeStyle: 'metal', vocalGender: 'female', variation: 'subtle', weights: { weirdness: 0.3, style: 0.8 } },
      }),
    ).toEqual({
      action: 'generate',
      model: 'chirp-v5-5',
      style_negative: 'metal',
      vocal_gender: 'f',
      variation_category: 'subtle',
      weirdness: 0.3,
      style_influence: 0.8,
      async: true,
      custom: true,
      instrumental: false,
      lyric: '[Verse]\nla',
      title: 'T',
      style: 'pop',
    });
    expect(body({ kind: 'song', song: { prompt: 'rain', instrumental: true, vocalGender: 'male', variation: 'high', model: 'chirp-v5' } })).toEqual({
      action: 'generate',
      model: 'chirp-v5',
      vocal_gender: 'm',
      variation_category: 'high',
      async: true,
      custom: false,
      instrumental: true,
      prompt: 'rain',
    });
  });

  it('refuses variation for models before v5, naming the field and the model', () => {
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, variation: 'normal', model: 'chirp-v4-5' } }, undefined)).toThrow(
      /variation.*v5 and above.*chirp-v4-5/,
    );
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, variation: 'normal', model: 'mystery' } }, undefined)).toThrow(/variation.*mystery/);
    expect(body({ kind: 'song', song: { prompt: 'x', instrumental: false, variation: 'normal', model: 'chirp-crow' } })).toMatchObject({ variation_category: 'normal' });
  });

  it('refuses sliders that would be ignored: weirdness and style outside custom mode, audio weight on a song, values past 1', () => {
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: true, weights: { weirdness: 0.5 } } }, undefined)).toThrow(/weights\.weirdness.*custom mode/);
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, weights: { style: 0.5 } } }, undefined)).toThrow(/weights\.style/);
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', lyrics: 'la', instrumental: false, weights: { audio: 0.5 } } }, undefined)).toThrow(/weights\.audio.*covers/);
    expect(() => acedata.buildSubmit({ kind: 'song', song: { prompt: 'x', lyrics: 'la', instrumental: false, weights: { weirdness: 1.5 } } }, undefined)).toThrow(/weights\.weirdness.*between 0 and 1/);
  });

  it('declares its song fields and the fields of every transform', () => {
    expect(acedata.songFields).toEqual(['negativeStyle', 'vocalGender', 'variation', 'weights']);
    expect(acedata.capabilities).not.toContain('style');
    for (const kind of ['extend', 'concat', 'cover', 'upload-cover', 'upload-extend', 'vox', 'replace-section', 'add-instrumental', 'add-vocals', 'sample', 'remaster', 'mashup', 'inspiration'] as const) {
      expect(acedata.capabilities).toContain(kind);
      expect(acedata.transformFields?.[kind]?.length).toBeGreaterThan(0);
    }
  });
});

describe('acedata transforms: requests', () => {
  it('extends a clip from continue_at with lyrics in custom mode and the song fields', () => {
    expect(
      body(
        {
          kind: 'extend',
          transform: { sources: [clip], continueAt: 120.5, lyrics: '[Bridge]\nla', style: 'pop', title: 'T2', negativeStyle: 'metal', vocalGender: 'male', weights: { weirdness: 0.2, style: 0.7 }, model: 'chirp-v4-5' },
        },
        CB,
      ),
    ).toEqual({
      action: 'extend',
      audio_id: 'b481b17a',
      continue_at: 120.5,
      model: 'chirp-v4-5',
      custom: true,
      lyric: '[Bridge]\nla',
      style: 'pop',
      title: 'T2',
      style_negative: 'metal',
      vocal_gender: 'm',
      weirdness: 0.2,
      style_influence: 0.7,
      callback_url: CB,
      async: true,
    });
    // Without continueAt, from the clip's end; a description in inspiration mode.
    expect(body({ kind: 'extend', transform: { sources: [clip], prompt: 'a calm outro', instrumental: true } })).toEqual({
      action: 'extend',
      audio_id: 'b481b17a',
      continue_at: 154.92,
      instrumental: true,
      model: 'chirp-v5-5',
      custom: false,
      prompt: 'a calm outro',
      async: true,
    });
  });

  it('uploads the user audio on /suno/upload, read at once as one clip named by its audio_id', () => {
    const call = acedata.buildSubmit({ kind: 'upload', transform: { audioUrl: UPLOAD } }, CB);
    expect(call).toEqual({ method: 'POST', path: '/suno/upload', body: { audio_url: UPLOAD } });
    expect(() => acedata.buildSubmit({ kind: 'upload', transform: { audioUrl: 'ftp://x/y.mp3' } }, undefined)).toThrow(/acedata upload request.*audio_url/);
    expect(() => acedata.buildSubmit({ kind: 'upload', transform: { audioUrl: UPLOAD, style: 'x' } }, undefined)).toThrow('provider acedata cannot take the field style of the upload step; nothing was submitted');
    // The guide's answer: one object, audio_id rather than id.
    const documented = acedata.parseSubmit('upload', {
      success: true,
      task_id: '058f8450-3df4-4f8b-8b64-ebc2e59ed3bc',
      data: { audio_id: '00135f7d', lyric: '[Intro]', style: 'bubblegum pop', image_url: 'https://cdn2.suno.ai/image_00135f7d.jpeg', audio_url: 'https://cdn1.suno.ai/00135f7d.mp3', title: 'up-d6c3970d', duration: 131.16 },
    });
    expect(documented.completed).toMatchObject({ state: 'succeeded', clips: [{ id: '00135f7d', audioUrl: 'https://cdn1.suno.ai/00135f7d.mp3', durationSeconds: 131.16 }] });
    // Drifting: a list, a numeric id, a string duration, extra fields.
    const drifting = acedata.parseSubmit('upload', { success: 'true', task_id: 7, data: [{ audio_id: 42, audio_url: 'https://cdn1.suno.ai/42.mp3', duration: '12.5', extra: {} }] });
    expect(drifting.completed?.clips).toEqual([expect.objectContaining({ id: '42', durationSeconds: 12.5 })]);
    expect(() => acedata.parseSubmit('upload', { success: true, task_id: 'x', data: { audio_url: 'https://cdn1.suno.ai/a.mp3' } })).toThrow(/acedata.*id/);
  });

  it('extends uploaded audio with upload_extend, naming the upload by its audio_id', () => {
    expect(body({ kind: 'upload-extend', transform: { sources: [clip], continueAt: 30, lyrics: 'la' } })).toEqual({
      action: 'upload_extend',
      audio_id: 'b481b17a',
      continue_at: 30,
      model: 'chirp-v5-5',
      custom: true,
      lyric: 'la',
      async: true,
    });
  });

  it('covers a clip or an uploaded one, with the audio weight', () => {
    expect(body({ kind: 'cover', transform: { sources: [clip], style: 'jazz', lyrics: 'la', weights: { audio: 0.6 } } }, CB)).toEqual({
      action: 'cover',
      audio_id: 'b481b17a',
      model: 'chirp-v5-5',
      custom: true,
      lyric: 'la',
      style: 'jazz',
      audio_weight: 0.6,
      callback_url: CB,
      async: true,
    });
    expect(body({ kind: 'upload-cover', transform: { sources: [clip], prompt: 'as bossa nova', vocalGender: 'female' } })).toEqual({
      action: 'upload_cover',
      audio_id: 'b481b17a',
      model: 'chirp-v5-5',
      custom: false,
      prompt: 'as bossa nova',
      vocal_gender: 'f',
      async: true,
    });
  });

  it('concatenates the last extension of a chain', () => {
    expect(body({ kind: 'concat', transform: { sources: [clip, other] } })).toEqual({ action: 'concat', audio_id: 'c9a2e1d0', async: true });
  });

  it('sings in a persona voice with artist_consistency_vox', () => {
    expect(body({ kind: 'vox', transform: { personaId: 'p-1', sources: [clip], lyrics: 'la', style: 'soul', title: 'V' } })).toEqual({
      action: 'artist_consistency_vox',
      persona_id: 'p-1',
      audio_id: 'b481b17a',
      custom: true,
      lyric: 'la',
      style: 'soul',
      title: 'V',
      model: 'chirp-v5-5',
      async: true,
    });
    expect(body({ kind: 'vox', transform: { personaId: 'p-1', prompt: 'a love song' } })).toEqual({
      action: 'artist_consistency_vox',
      persona_id: 'p-1',
      custom: false,
      prompt: 'a love song',
      model: 'chirp-v5-5',
      async: true,
    });
  });

  it('replaces a section with new lyrics', () => {
    expect(body({ kind: 'replace-section', transform: { sources: [clip], section: { start: 10, end: 20.5 }, lyrics: '[Verse]\nnew', style: 'pop' } })).toEqual({
      action: 'replace_section',
      audio_id: 'b481b17a',
      replace_section_start: 10,
      replace_section_end: 20.5,
      lyric: '[Verse]\nnew',
      style: 'pop',
      async: true,
    });
  });

  it('adds an instrumental (underpainting), vocals (overpainting) and samples, on a clip (an uploaded one for the user audio)', () => {
    expect(body({ kind: 'add-instrumental', transform: { sources: [other], style: 'acoustic', title: 'A' } })).toEqual({
      action: 'underpainting',
      audio_id: 'c9a2e1d0',
      style: 'acoustic',
      title: 'A',
      async: true,
    });
    expect(body({ kind: 'add-instrumental', transform: { sources: [clip], section: { start: 0, end: 60 } } })).toEqual({
      action: 'underpainting',
      audio_id: 'b481b17a',
      underpainting_start: 0,
      underpainting_end: 60,
      async: true,
    });
    expect(body({ kind: 'add-vocals', transform: { sources: [clip], lyrics: 'la', prompt: 'warm female voice', section: { start: 5, end: 50 } } }, CB)).toEqual({
      action: 'overpainting',
      audio_id: 'b481b17a',
      overpainting_start: 5,
      overpainting_end: 50,
      lyric: 'la',
      prompt: 'warm female voice',
      callback_url: CB,
      async: true,
    });
    expect(body({ kind: 'sample', transform: { sources: [other], section: { start: 2, end: 8 }, prompt: 'lofi beat', title: 'S' } })).toEqual({
      action: 'samples',
      audio_id: 'c9a2e1d0',
      samples_start: 2,
      samples_end: 8,
      prompt: 'lofi beat',
      title: 'S',
      async: true,
    });
  });

  it('remasters one clip and mashes two up', () => {
    expect(body({ kind: 'remaster', transform: { sources: [clip], model: 'chirp-v5' } })).toEqual({ action: 'remaster', audio_id: 'b481b17a', model: 'chirp-v5', async: true });
    expect(body({ kind: 'mashup', transform: { sources: [clip, other], style: 'edm', title: 'M' } })).toEqual({
      action: 'mashup',
      mashup_audio_ids: ['b481b17a', 'c9a2e1d0'],
      style: 'edm',
      title: 'M',
      model: 'chirp-v5-5',
      async: true,
    });
  });

  it('refuses invalid transforms before any request, naming the field', () => {
    const refusal = (kind: Parameters<typeof acedata.buildSubmit>[0]['kind'], transform: object) => () => acedata.buildSubmit({ kind, transform } as Parameters<typeof acedata.buildSubmit>[0], undefined);
    expect(refusal('extend', {})).toThrow(/extend: sources/);
    expect(refusal('extend', { sources: [clip], continueAt: -1 })).toThrow(/continueAt: must be 0 or more/);
    expect(refusal('extend', { sources: [clip], continueAt: 200 })).toThrow(/continueAt.*past the end/);
    expect(refusal('upload-extend', { sources: [{ taskId: 't', clipId: 'u' }] })).toThrow(/continueAt: required/);
    expect(refusal('upload-cover', { prompt: 'x' })).toThrow(/upload-cover: sources: one clip is required/);
    // The seed's body has no audio_url: the user's audio goes through an upload step first.
    expect(refusal('upload-cover', { audioUrl: UPLOAD })).toThrow('provider acedata cannot take the field audioUrl of the upload-cover step; nothing was submitted');
    expect(refusal('sample', { audioUrl: UPLOAD })).toThrow(/field audioUrl of the sample step/);
    expect(refusal('cover', { sources: [clip], prompt: 'p'.repeat(201) })).toThrow(/prompt: acedata takes at most 200 characters, got 201/);
    expect(refusal('cover', { sources: [clip], prompt: 'jazz', weights: { weirdness: 0.5 } })).toThrow(/weights\.weirdness.*custom mode/);
    expect(refusal('replace-section', { sources: [clip], lyrics: 'la' })).toThrow(/section: required/);
    expect(refusal('replace-section', { sources: [clip], section: { start: 20, end: 10 }, lyrics: 'la' })).toThrow(/section\.end: must be after section\.start/);
    expect(refusal('replace-section', { sources: [clip], section: { start: 10, end: 154.92 }, lyrics: 'la' })).toThrow(/section\.end: must be less than the source's duration/);
    expect(refusal('replace-section', { sources: [clip], section: { start: 1, end: 2 } })).toThrow(/lyrics: required/);
    expect(refusal('add-vocals', { sources: [clip], audioUrl: UPLOAD })).toThrow(/field audioUrl of the add-vocals step/);
    expect(refusal('add-instrumental', {})).toThrow(/sources/);
    expect(refusal('sample', { sources: [clip], section: { start: -1, end: 3 } })).toThrow(/section\.start/);
    expect(refusal('mashup', { sources: [clip] })).toThrow(/mashup: sources: takes two clips, got 1/);
    expect(refusal('vox', { lyrics: 'la' })).toThrow(/sources, personaId/);
    expect(refusal('vox', { personaId: 'p' })).toThrow(/lyrics, prompt/);
    expect(refusal('concat', { sources: [] })).toThrow(/concat: sources/);
  });

  it('refuses fields the action cannot take, naming them', () => {
    expect(() => acedata.buildSubmit({ kind: 'remaster', transform: { sources: [clip], style: 'x' } }, undefined)).toThrow(/acedata cannot take the field style of the remaster step/);
    expect(() => acedata.buildSubmit({ kind: 'extend', transform: { sources: [clip], weights: { audio: 0.5 } } }, undefined)).toThrow(/weights\.audio/);
    expect(() => acedata.buildSubmit({ kind: 'concat', transform: { sources: [clip], section: { start: 1, end: 2 } } }, undefined)).toThrow(/field section of the concat step/);
    expect(() => acedata.buildSubmit({ kind: 'mashup', transform: { sources: [clip, other], vocalGender: 'male' } }, undefined)).toThrow(/vocalGender/);
    expect(() => acedata.buildSubmit({ kind: 'sound-effect', transform: { prompt: 'boom', seconds: 3 } }, undefined)).toThrow(/acedata does not offer the sound-effect step/);
  });
});

describe('acedata transforms: answers', () => {
  it('takes the task id of a transform submit', () => {
    expect(acedata.parseSubmit('mashup', { task_id: 'm1' })).toEqual({ taskId: 'm1' });
    expect(acedata.parseSubmit('cover', { success: true, task_id: 42, trace_id: 't' })).toEqual({ taskId: '42' });
  });

  it('reads the clips of every transform like a song', () => {
    for (const kind of ['extend', 'cover', 'upload-cover', 'upload-extend', 'vox', 'add-vocals', 'add-instrumental', 'sample', 'mashup', 'inspiration'] as const) {
      const snapshot = acedata.parseQuery(kind, 't', record('t', { success: true, task_id: 't', data: [audio('a'), audio('b')] }));
      expect(snapshot.state).toBe('succeeded');
      expect(snapshot.clips.map((c) => [c.id, c.audioUrl])).toEqual([
        ['a', 'https://cdn1.suno.ai/a.mp3'],
        ['b', 'https://cdn1.suno.ai/b.mp3'],
      ]);
      expect(snapshot.outputs).toBeUndefined();
    }
    for (const kind of ['concat', 'replace-section', 'remaster'] as const) {
      const one = acedata.parseQuery(kind, 't', record('t', { success: true, task_id: 't', data: [audio('whole', { duration: 245.3 })] }));
      expect(one).toMatchObject({ state: 'succeeded', clips: [{ id: 'whole', audioUrl: 'https://cdn1.suno.ai/whole.mp3', durationSeconds: 245.3 }] });
    }
  });

  it('reads a drifting transform answer: string numbers, early nulls, extra fields, a preview kept apart', () => {
    const early = acedata.parseQuery('cover', 't', record('t', { success: true, task_id: 't', data: [audio('a', { state: 'pending', audio_url: null, duration: null, title: null, new_field: [1] })] }));
    expect(early.state).toBe('running');
    expect(early.clips).toEqual([{ id: 'a', imageUrl: 'https://cdn2.suno.ai/image_a.jpeg', tags: 'holiday, cheerful, male vocals', lyrics: '[Verse]\nSnowflakes falling' }]);
    const streaming = acedata.parseQuery('extend', 't', record('t', { success: 'true', task_id: 't', data: [audio('a', { state: 'running', audio_url: 'https://audiopipe.suno.ai/?item_id=a', duration: '' })] }));
    expect(streaming.state).toBe('partial');
    expect(streaming.clips[0]?.audioUrl).toBeUndefined();
    expect(streaming.clips[0]?.streamAudioUrl).toBe('https://audiopipe.suno.ai/?item_id=a');
    const done = acedata.parseBatchQuery!('remaster', ['t'], { items: [record('t', { success: true, task_id: 't', data: { ...audio(7 as unknown as string), duration: '180.25' } })], count: '1' });
    expect(done[0]).toMatchObject({ state: 'succeeded', clips: [{ id: '7', durationSeconds: 180.25 }] });
    expect(() => acedata.parseQuery('mashup', 't', record('t', { success: true, data: [{ title: 'no id' }] }))).toThrow(/acedata mashup data.*id/);
  });

  it('reports a refused transform as failed with its reason', () => {
    const failed = acedata.parseQuery('upload-cover', 't', record('t', { success: false, task_id: 't', error: { code: 'forbidden', message: 'uploaded audio matches copyrighted material' } }));
    expect(failed).toMatchObject({ state: 'failed', failure: { reason: 'uploaded audio matches copyrighted material', retryable: false } });
  });
});

describe('acedata inspo: a new song from reference audios', () => {
  const ref = (id: string): ClipRef => ({ taskId: `t-${id}`, clipId: id, audioUrl: `https://cdn1.suno.ai/${id}.mp3` });

  it('sends the references as audio_urls (earlier clips, then the user\'s file), with the song fields it takes', () => {
    expect(body({ kind: 'inspiration', transform: { sources: [ref('a'), ref('b')], audioUrl: UPLOAD, style: 'night jazz', title: 'Inspired' } }, CB)).toEqual({
      action: 'inspo',
      audio_urls: ['https://cdn1.suno.ai/a.mp3', 'https://cdn1.suno.ai/b.mp3', UPLOAD],
      model: 'chirp-v5-5',
      custom: false,
      style: 'night jazz',
      title: 'Inspired',
      callback_url: CB,
      async: true,
    });
    expect(body({ kind: 'inspiration', transform: { audioUrl: UPLOAD, lyrics: '[Verse]\nla', instrumental: false, model: 'chirp-v4' } })).toEqual({
      action: 'inspo',
      audio_urls: [UPLOAD],
      model: 'chirp-v4',
      custom: true,
      lyric: '[Verse]\nla',
      instrumental: false,
      async: true,
    });
  });

  it('refuses, before any request, no reference, more than four, a clip without audio, a long prompt, and fields it cannot take', () => {
    expect(() => body({ kind: 'inspiration', transform: { style: 'jazz' } })).toThrow(/inspiration: sources, audioUrl: 1 to 4 reference audios are required/);
    expect(() => body({ kind: 'inspiration', transform: { sources: ['a', 'b', 'c', 'd'].map(ref), audioUrl: UPLOAD } })).toThrow(/at most 4 reference audios, got 5/);
    expect(() => body({ kind: 'inspiration', transform: { sources: [{ taskId: 't', clipId: 'x' }] } })).toThrow(/sources\[0\]\.audioUrl: required/);
    expect(() => body({ kind: 'inspiration', transform: { audioUrl: UPLOAD, prompt: 'p'.repeat(201) } })).toThrow(/prompt: acedata takes at most 200/);
    expect((errorOf(() => body({ kind: 'inspiration', transform: { audioUrl: UPLOAD, playlistId: 'pl' } })) as Error).message).toBe(
      'provider acedata cannot take the field playlistId of the inspiration step; nothing was submitted',
    );
    expect((errorOf(() => body({ kind: 'inspiration', transform: { audioUrl: UPLOAD, weights: { weirdness: 0.3 }, personaId: 'p' } })) as Error).message).toMatch(/fields weights\.weirdness, personaId of the inspiration/);
    expect(acedata.capabilities).not.toContain('crop');
    expect(acedata.capabilities).not.toContain('custom-model');
  });
});
