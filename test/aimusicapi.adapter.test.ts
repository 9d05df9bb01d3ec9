// The aimusicapi.org adapter against the shapes of its seed document and its API family: workId at
// the top or inside data, data.type SUCCESS while a clip is still streaming, empty early fields,
// numbers sent as strings, and error envelopes.
import { describe, expect, it } from 'vitest';
import { aimusicapi } from '../providers/aimusicapi/adapter';
import { ProviderError } from '../providers/errors';
import { WireFormatError } from '../providers/wire';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('aimusicapi requests', () => {
  it('describes a song in inspiration mode with the newest model', () => {
    const call = aimusicapi.buildSubmit({ kind: 'song', song: { prompt: 'rain on the roof', instrumental: false } }, undefined);
    expect(call).toEqual({
      method: 'POST',
      path: '/api/submit',
      body: { gpt_description_prompt: 'rain on the roof', make_instrumental: false, model: 'chirp-v4' },
    });
  });

  it('sends our lyrics in custom mode with title and style tags, keeping the model name', () => {
    const call = aimusicapi.buildSubmit(
      { kind: 'song', song: { prompt: 'rain', lyrics: '[Verse]\nla la', title: 'Rain', style: 'piano, soft', instrumental: false, model: 'chirp-v3-5' } },
      'https://cb.example/x',
    );
    expect(call.body).toEqual({ prompt: '[Verse]\nla la', title: 'Rain', tags: 'piano, soft', make_instrumental: false, model: 'chirp-v3-5' });
  });

  it('describes an instrumental even when style is given (custom mode needs lyrics here)', () => {
    const call = aimusicapi.buildSubmit({ kind: 'song', song: { prompt: 'calm piano', style: 'ambient', instrumental: true, model: 'latest' } }, undefined);
    expect(call.body).toEqual({ gpt_description_prompt: 'calm piano', make_instrumental: true, model: 'chirp-v4' });
  });

  it('refuses an empty description before anything is sent, naming the field', () => {
    expect(() => aimusicapi.buildSubmit({ kind: 'song', song: { prompt: '', instrumental: false } }, undefined)).toThrow(/gpt_description_prompt/);
  });

  it('refuses steps it does not offer, naming the provider and the step', () => {
    expect(() => aimusicapi.buildSubmit({ kind: 'lyrics', lyrics: { prompt: 'x' } }, undefined)).toThrow(/aimusicapi.*lyrics/);
    expect(() => aimusicapi.buildSubmit({ kind: 'wav', source: { taskId: 't', clipId: 'c' } }, undefined)).toThrow(/aimusicapi.*wav/);
  });

  it('polls the query route by workId', () => {
    expect(aimusicapi.buildQuery('song', 'w 1')).toEqual({ method: 'GET', path: '/api/query?workId=w%201' });
  });
});

describe('aimusicapi submit answers', () => {
  it('reads workId at the top level, as a number too, or task_id inside data', () => {
    expect(aimusicapi.parseSubmit('song', { code: 200, message: 'success', workId: 'abc' })).toEqual({ taskId: 'abc' });
    expect(aimusicapi.parseSubmit('song', { code: '200', workId: 12345, extra: true })).toEqual({ taskId: '12345' });
    expect(aimusicapi.parseSubmit('song', { code: 200, data: { task_id: 'def' } })).toEqual({ taskId: 'def' });
  });

  it('classifies error envelopes and keeps the provider message', () => {
    const cases: [number | string, string][] = [
      [400, 'rejected'],
      [401, 'auth'],
      [402, 'billing'],
      ['402', 'billing'],
      [500, 'unavailable'],
    ];
    for (const [code, errorClass] of cases) {
      const err = errorOf(() => aimusicapi.parseSubmit('song', { code, message: `message ${code}` }));
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).errorClass).toBe(errorClass);
      expect((err as ProviderError).code).toBe(String(code));
      expect((err as ProviderError).message).toContain(`message ${code}`);
    }
  });

  it('treats success without an id as ambiguous (a task may exist)', () => {
    const err = errorOf(() => aimusicapi.parseSubmit('song', { code: 200, message: 'success' }));
    expect((err as ProviderError).errorClass).toBe('ambiguous');
  });
});

describe('aimusicapi query answers', () => {
  const clip = (over: Record<string, unknown>) => ({
    audio_url: '',
    image_url: '',
    image_large_url: '',
    video_url: '',
    created_at: '2025-01-01T00:00:00Z',
    status: 'pending',
    title: 'Rain',
    prompt: '[Verse] drops',
    tags: 'piano',
    ...over,
  });

  it('is queued or running while no clip exists, with null and empty fields', () => {
    expect(aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'IN_PROGRESS', response_data: null, request_body: {} } }).state).toBe('running');
    expect(aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'PENDING', response_data: [] } }).state).toBe('queued');
    const early = aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'IN_PROGRESS', response_data: [clip({ clip_id: 'c1' }), clip({ clip_id: 'c2' })] } });
    expect(early.state).toBe('running');
    expect(early.clips[0]).toEqual({ id: 'c1', title: 'Rain', tags: 'piano', lyrics: '[Verse] drops' });
  });

  it('does not trust type SUCCESS while a clip is still streaming', () => {
    const snapshot = aimusicapi.parseQuery('song', 'w', {
      code: 200,
      data: {
        type: 'SUCCESS',
        response_data: [clip({ id: 'c1', status: 'complete', audio_url: 'https://m/1.mp3', duration: 120 }), clip({ id: 'c2', status: 'streaming' })],
      },
    });
    expect(snapshot.state).toBe('partial');
    expect(snapshot.providerStatus).toBe('SUCCESS');
  });

  it('keeps a rendering clip\'s streaming preview apart from finished audio (regression)', () => {
    const preview = 'https://audiopipe.suno.ai/?item_id=c2';
    const snapshot = aimusicapi.parseQuery('song', 'w', {
      code: 200,
      data: {
        type: 'SUCCESS',
        response_data: [
          clip({ id: 'c1', status: 'complete', audio_url: 'https://m/1.mp3', duration: 120 }),
          clip({ id: 'c2', status: 'streaming', audio_url: preview, duration: null }),
          clip({ id: 'c3', status: 'pending', audio_url: 'https://audiopipe.suno.ai/?item_id=c3' }),
          clip({ id: 'c4', status: 'streaming', audio_url: preview, stream_audio_url: 'https://s/c4' }),
        ],
      },
    });
    expect(snapshot.state).toBe('partial');
    expect(snapshot.clips.map((c) => [c.id, c.audioUrl, c.streamAudioUrl])).toEqual([
      ['c1', 'https://m/1.mp3', undefined],
      ['c2', undefined, preview],
      ['c3', undefined, 'https://audiopipe.suno.ai/?item_id=c3'],
      ['c4', undefined, 'https://s/c4'],
    ]);
    // A clip with an unknown status word and audio is streaming, never finished.
    const unknown = aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'IN_PROGRESS', response_data: [clip({ id: 'c5', status: 'rendering', audio_url: preview })] } });
    expect(unknown.clips[0]).toMatchObject({ id: 'c5', streamAudioUrl: preview });
    expect(unknown.clips[0]?.audioUrl).toBeUndefined();
    // Once complete, the same clip's audio is the finished file.
    const done = aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'SUCCESS', response_data: [clip({ id: 'c2', status: 'complete', audio_url: 'https://m/2.mp3' })] } });
    expect(done.clips[0]).toMatchObject({ id: 'c2', audioUrl: 'https://m/2.mp3' });
    expect(done.clips[0]?.streamAudioUrl).toBeUndefined();
  });

  it('succeeds when type and every clip say so, with numbers sent as strings and extra fields', () => {
    const snapshot = aimusicapi.parseQuery('song', 'w', {
      code: 200,
      message: 'success',
      data: {
        type: 'SUCCESS',
        request_body: { prompt: '[Verse] drops', title: 'Rain', tags: 'piano', model: 'chirp-v4' },
        response_data: [
          clip({ id: 'c1', status: 'complete', audio_url: 'https://m/1.mp3', image_url: 'https://m/1.png', image_large_url: 'https://m/1L.png', duration: '182.4', newField: 1 }),
          clip({ id: 'c2', status: 'complete', audio_url: 'https://m/2.mp3', metadata: { duration: '90' } }),
        ],
        created_at: '2025-01-01T00:00:00Z',
      },
    });
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.clips).toEqual([
      { id: 'c1', title: 'Rain', audioUrl: 'https://m/1.mp3', imageUrl: 'https://m/1L.png', durationSeconds: 182.4, tags: 'piano', lyrics: '[Verse] drops' },
      { id: 'c2', title: 'Rain', audioUrl: 'https://m/2.mp3', durationSeconds: 90, tags: 'piano', lyrics: '[Verse] drops' },
    ]);
  });

  it('does not mistake an echoed description for lyrics, and names clips that come without ids', () => {
    const snapshot = aimusicapi.parseQuery('song', 'w9', {
      code: 200,
      data: { type: 'SUCCESS', request_body: { gpt_description_prompt: 'rain on the roof' }, response_data: [clip({ status: 'complete', audio_url: 'https://m/1.mp3', prompt: 'rain on the roof' })] },
    });
    expect(snapshot.clips[0]).toEqual({ id: 'w9-0', title: 'Rain', audioUrl: 'https://m/1.mp3', tags: 'piano' });
  });

  it('reports failures with the reason, and refused input as not retryable', () => {
    const moderated = aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'FAILED', error_message: 'Song Description contained artist name', response_data: [] } });
    expect(moderated.state).toBe('failed');
    expect(moderated.failure).toEqual({ reason: 'Song Description contained artist name', retryable: false });
    const allErrored = aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'IN_PROGRESS', response_data: [clip({ status: 'error', error_message: 'busy' }), clip({ status: 'error' })] } });
    expect(allErrored.failure).toEqual({ reason: 'busy', retryable: true });
    expect(allErrored.clips).toEqual([]);
  });

  it('turns an error envelope into a classified error and names missing fields', () => {
    expect((errorOf(() => aimusicapi.parseQuery('song', 'w', { code: 401, message: 'Invalid API key' })) as ProviderError).errorClass).toBe('auth');
    expect(() => aimusicapi.parseQuery('song', 'w', { code: 200, data: {} })).toThrow(/data\.type/);
    expect(() => aimusicapi.parseQuery('song', 'w', { code: 200, data: { type: 'SUCCESS', response_data: 'nope' } })).toThrow(WireFormatError);
  });
});

describe('aimusicapi callbacks and names', () => {
  it('has no callbacks', () => {
    expect(aimusicapi.supportsCallbacks).toBe(false);
    expect(() => aimusicapi.parseCallback({ workId: 'x' })).toThrow(WireFormatError);
    expect(() => aimusicapi.parseCallback({ workId: 'x' })).toThrow(/no callbacks/);
  });

  it('offers songs only: no transform and no optional song field', () => {
    expect(aimusicapi.capabilities).toEqual(['song']);
    expect(aimusicapi.transformFields).toEqual({});
    expect(aimusicapi.songFields).toEqual([]);
    expect(() => aimusicapi.buildSubmit({ kind: 'extend', transform: { sources: [{ taskId: 't', clipId: 'c' }] } }, undefined)).toThrow(/aimusicapi.*extend/);
  });

  it('passes its own model names through and maps latest to the newest', () => {
    expect(aimusicapi.resolveModel(undefined)).toBe('chirp-v4');
    expect(aimusicapi.resolveModel('latest')).toBe('chirp-v4');
    expect(aimusicapi.resolveModel('chirp-v3-5')).toBe('chirp-v3-5');
  });
});

describe('aimusicapi and the inspiration playlist, audio editing and custom model of the other dialects', () => {
  it('refuses inspiration, crop and custom-model as steps it does not offer, naming the provider and the step', () => {
    const ref = { taskId: 't', clipId: 'c', audioUrl: 'https://cdn1.suno.ai/c.mp3', durationSeconds: 30 };
    expect(() => aimusicapi.buildSubmit({ kind: 'inspiration', transform: { sources: [ref] } }, undefined)).toThrow(/^provider aimusicapi does not offer the inspiration step \(it offers: .*\); nothing was submitted$/);
    expect(() => aimusicapi.buildSubmit({ kind: 'crop', transform: { sources: [ref], section: { start: 1, end: 2 } } }, undefined)).toThrow(/provider aimusicapi does not offer the crop step/);
    expect(() => aimusicapi.buildSubmit({ kind: 'custom-model', customModel: { sources: Array(6).fill(ref), name: 'm' } }, undefined)).toThrow(/provider aimusicapi does not offer the custom-model step/);
    for (const kind of ['inspiration', 'crop', 'custom-model'] as const) expect(aimusicapi.capabilities).not.toContain(kind);
  });
});
