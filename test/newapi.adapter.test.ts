// The NewAPI relay adapter against the seed's examples (single and batch fetch) and the relay's own
// behaviour: NOT_START ... SUCCESS/FAILURE statuses, task_... ids, errors as word codes, ids left
// out of batch answers, and notify_hook deliveries.
import { describe, expect, it } from 'vitest';
import { unsupportedFields } from '../providers/capabilities';
import { ProviderError } from '../providers/errors';
import type { ClipRef } from '../providers/model';
import { newapi } from '../providers/newapi/adapter';
import { WireFormatError } from '../providers/wire';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** The seed's batch example task, in flight with one streaming clip. */
const streamingTask = {
  task_id: '346c5d10-a4a1-4f49-a851-66a7dae6cfaf',
  notify_hook: '',
  action: 'MUSIC',
  status: 'IN_PROGRESS',
  fail_reason: '',
  submit_time: 1716191749,
  start_time: 1716191786,
  finish_time: 0,
  progress: '0%',
  data: [
    {
      id: 'e9893d04-6a63-4007-8473-64b706eca4d1',
      title: 'Electric Dance Party',
      status: 'streaming',
      metadata: { tags: 'club banger high-energy edm', prompt: 'omitted', duration: null, error_type: null, error_message: null, audio_prompt_id: null, gpt_description_prompt: 'miku dance' },
      audio_url: 'https://audiopipe.suno.ai/?item_id=e9893d04-6a63-4007-8473-64b706eca4d1',
      image_url: 'https://cdn1.suno.ai/image_e9893d04-6a63-4007-8473-64b706eca4d1.png',
      video_url: '',
      model_name: 'chirp-v3',
      image_large_url: 'https://cdn1.suno.ai/image_large_e9893d04-6a63-4007-8473-64b706eca4d1.png',
      major_model_version: 'v3',
    },
  ],
};

function finishedTask(id: string) {
  return {
    task_id: id,
    action: 'MUSIC',
    status: 'SUCCESS',
    fail_reason: '',
    progress: '100%',
    data: [
      { id: `${id}-a`, title: 'Song', status: 'complete', audio_url: `https://cdn1.suno.ai/${id}-a.mp3`, image_url: 'https://i/a.png', metadata: { tags: 'pop', prompt: '[Verse] hi', duration: '120.5' } },
      { id: `${id}-b`, title: 'Song', status: 'complete', audio_url: `https://cdn1.suno.ai/${id}-b.mp3`, metadata: { tags: 'pop', prompt: '[Verse] hi', duration: 118 } },
    ],
  };
}

describe('newapi requests', () => {
  it('describes a song in inspiration mode and sends notify_hook when callbacks are on', () => {
    const call = newapi.buildSubmit({ kind: 'song', song: { prompt: 'miku dance', instrumental: false } }, 'https://cb.example/callbacks/t');
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/submit/music',
      body: { gpt_description_prompt: 'miku dance', mv: 'chirp-v4', make_instrumental: false, notify_hook: 'https://cb.example/callbacks/t' },
    });
  });

  it('sends our lyrics in custom mode with title and tags, without notify_hook when polling', () => {
    const call = newapi.buildSubmit({ kind: 'song', song: { prompt: 'x', lyrics: '[Verse]\nhi', title: 'Hi', style: 'edm', instrumental: false, model: 'chirp-v3-5' } }, undefined);
    expect(call.body).toEqual({ prompt: '[Verse]\nhi', title: 'Hi', tags: 'edm', mv: 'chirp-v3-5', make_instrumental: false });
  });

  it('sends lyrics prompts to the lyrics route', () => {
    expect(newapi.buildSubmit({ kind: 'lyrics', lyrics: { prompt: 'electric fantasy' } }, undefined)).toEqual({
      method: 'POST',
      path: '/suno/submit/lyrics',
      body: { prompt: 'electric fantasy' },
    });
  });

  it('refuses what it cannot send, naming the field, the provider and the step', () => {
    expect(() => newapi.buildSubmit({ kind: 'lyrics', lyrics: { prompt: '' } }, undefined)).toThrow(/prompt/);
    expect(() => newapi.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false } }, 'not a url')).toThrow(/notify_hook/);
    expect(() => newapi.buildSubmit({ kind: 'stems', source: { taskId: 't', clipId: 'c' } }, undefined)).toThrow(/newapi.*stems/);
  });

  it('queries one task by path and many through the batch route', () => {
    expect(newapi.buildQuery('song', 'task_1')).toEqual({ method: 'GET', path: '/suno/fetch/task_1' });
    expect(newapi.buildBatchQuery!('song', ['a', 'b'])).toEqual({ method: 'POST', path: '/suno/fetch', body: { ids: ['a', 'b'], action: 'MUSIC' } });
    expect(newapi.buildBatchQuery!('lyrics', ['l']).body).toEqual({ ids: ['l'], action: 'LYRICS' });
  });
});

describe('newapi submit answers', () => {
  it('reads the task id string of the success envelope', () => {
    expect(newapi.parseSubmit('song', { code: 'success', message: '', data: '736a6f88-bd29-4b1e-b110-37132a5325ac' })).toEqual({ taskId: '736a6f88-bd29-4b1e-b110-37132a5325ac' });
    expect(newapi.parseSubmit('lyrics', { code: 'success', data: 'task_01HZX' })).toEqual({ taskId: 'task_01HZX' });
    expect(newapi.parseSubmit('song', { code: 'success', data: 98765 })).toEqual({ taskId: '98765' });
  });

  it('throws a classified error for a code other than success inside HTTP 200, keeping the message', () => {
    const quota = errorOf(() => newapi.parseSubmit('song', { code: 'quota_not_enough', message: 'user quota is not enough', data: null }));
    expect(quota).toBeInstanceOf(ProviderError);
    expect((quota as ProviderError).errorClass).toBe('billing');
    expect((quota as ProviderError).providerMessage).toBe('user quota is not enough');
    const invalid = errorOf(() => newapi.parseSubmit('song', { code: 'invalid_request', message: 'prompt_empty' }));
    expect((invalid as ProviderError).errorClass).toBe('rejected');
    const numeric = errorOf(() => newapi.parseSubmit('song', { code: '429', message: 'slow down' }));
    expect((numeric as ProviderError).errorClass).toBe('throttled');
    const unknown = errorOf(() => newapi.parseSubmit('song', { code: 'fail', message: 'upstream said no' }));
    expect((unknown as ProviderError).errorClass).toBe('rejected');
    expect((unknown as ProviderError).message).toContain('upstream said no');
  });

  it('treats success without an id as ambiguous', () => {
    expect((errorOf(() => newapi.parseSubmit('song', { code: 'success', data: '' })) as ProviderError).errorClass).toBe('ambiguous');
  });

  it('classifies the relay HTTP statuses (403 is its quota refusal)', () => {
    expect(newapi.classify(400)).toBe('rejected');
    expect(newapi.classify(401)).toBe('auth');
    expect(newapi.classify(403)).toBe('billing');
    expect(newapi.classify(429)).toBe('throttled');
    expect(newapi.classify(500)).toBe('unavailable');
  });
});

describe('newapi query answers', () => {
  it('reads the seed single-query lyrics example', () => {
    const snapshot = newapi.parseQuery('lyrics', 'f4a94d75-087b-4bb1-bd45-53ba293faf96', {
      code: 'success',
      message: '',
      data: {
        task_id: 'f4a94d75-087b-4bb1-bd45-53ba293faf96',
        notify_hook: '',
        action: 'LYRICS',
        status: 'SUCCESS',
        fail_reason: '',
        submit_time: 1716192124,
        start_time: 1716192124,
        finish_time: 1716192124,
        progress: '100%',
        data: { id: 'f4a94d75-087b-4bb1-bd45-53ba293faf96', text: 'omitted', title: 'Electric Fantasy', status: 'complete' },
      },
    });
    expect(snapshot).toEqual({ taskId: 'f4a94d75-087b-4bb1-bd45-53ba293faf96', state: 'succeeded', providerStatus: 'SUCCESS', clips: [], lyrics: [{ text: 'omitted', title: 'Electric Fantasy' }] });
  });

  it('is partial while a clip streams, with null durations', () => {
    const snapshot = newapi.parseQuery('song', streamingTask.task_id, { code: 'success', data: streamingTask });
    expect(snapshot.state).toBe('partial');
    expect(snapshot.clips).toEqual([
      {
        id: 'e9893d04-6a63-4007-8473-64b706eca4d1',
        title: 'Electric Dance Party',
        // A streaming clip's URL is its preview, never the finished audio.
        streamAudioUrl: 'https://audiopipe.suno.ai/?item_id=e9893d04-6a63-4007-8473-64b706eca4d1',
        imageUrl: 'https://cdn1.suno.ai/image_large_e9893d04-6a63-4007-8473-64b706eca4d1.png',
        tags: 'club banger high-energy edm',
        lyrics: 'omitted',
      },
    ]);
  });

  it('maps the relay statuses, with empty data at early stages', () => {
    const at = (status: string, data: unknown = null) => newapi.parseQuery('song', 'task_1', { code: 'success', data: { task_id: 'task_1', action: 'MUSIC', status, fail_reason: '', progress: '0%', data } });
    expect(at('NOT_START').state).toBe('queued');
    expect(at('SUBMITTED', []).state).toBe('queued');
    expect(at('QUEUED', '').state).toBe('queued');
    expect(at('IN_PROGRESS').state).toBe('running');
    expect(at('UNKNOWN').state).toBe('running');
  });

  it('succeeds with clips and durations sent as strings', () => {
    const snapshot = newapi.parseQuery('song', 'task_2', { code: 'success', data: finishedTask('task_2') });
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.clips.map((c) => [c.id, c.durationSeconds, c.lyrics])).toEqual([
      ['task_2-a', 120.5, '[Verse] hi'],
      ['task_2-b', 118, '[Verse] hi'],
    ]);
  });

  it('reports failures with the relay reason; moderation is not retryable', () => {
    const failed = newapi.parseQuery('song', 'task_3', { code: 'success', data: { task_id: 'task_3', status: 'FAILURE', fail_reason: 'Song Description flagged for moderation', data: null } });
    expect(failed.state).toBe('failed');
    expect(failed.failure).toEqual({ reason: 'Song Description flagged for moderation', retryable: false });
    const oldWord = newapi.parseQuery('song', 'task_4', { code: 'success', data: { task_id: 'task_4', status: 'FAIL', fail_reason: 'upstream timeout' } });
    expect(oldWord.failure).toEqual({ reason: 'upstream timeout', retryable: true });
    const clipsErrored = newapi.parseQuery('song', 'task_5', {
      code: 'success',
      data: { task_id: 'task_5', status: 'IN_PROGRESS', data: [{ id: 'c', status: 'error', metadata: { error_type: 'moderation_failure', error_message: 'Tags contained artist name' } }] },
    });
    expect(clipsErrored.state).toBe('failed');
    expect(clipsErrored.failure?.reason).toBe('Tags contained artist name');
  });

  it('names the field when the task has no status, and throws on an error envelope', () => {
    expect(() => newapi.parseQuery('song', 't', { code: 'success', data: { task_id: 't' } })).toThrow(/status/);
    expect(() => newapi.parseQuery('song', 't', { code: 'success', data: null })).toThrow(WireFormatError);
    expect((errorOf(() => newapi.parseQuery('song', 't', { code: 'task_not_exist', message: 'task_not_exist', data: null })) as ProviderError).errorClass).toBe('rejected');
  });
});

describe('newapi batch answers', () => {
  it('returns one snapshot per id in the order asked, whatever order the relay answers in', () => {
    const body = { code: 'success', message: '', data: [finishedTask('task_b'), { ...streamingTask, task_id: 'task_a' }] };
    const snapshots = newapi.parseBatchQuery!('song', ['task_a', 'task_b'], body);
    expect(snapshots.map((s) => [s.taskId, s.state])).toEqual([
      ['task_a', 'partial'],
      ['task_b', 'succeeded'],
    ]);
  });

  it('throws naming an id the relay left out rather than calling it failed', () => {
    const body = { code: 'success', data: [finishedTask('task_b')] };
    const err = errorOf(() => newapi.parseBatchQuery!('song', ['task_a', 'task_b'], body));
    expect(err).toBeInstanceOf(WireFormatError);
    expect((err as Error).message).toContain('task_a');
  });

  it('reads an empty batch answer and error envelopes', () => {
    expect(() => newapi.parseBatchQuery!('song', ['x'], { code: 'success', data: [] })).toThrow(/x/);
    expect((errorOf(() => newapi.parseBatchQuery!('song', ['x'], { code: 'invalid_request', message: 'bad ids' })) as ProviderError).errorClass).toBe('rejected');
  });
});

describe('newapi callbacks', () => {
  it('reads a task object delivered to notify_hook', () => {
    expect(newapi.parseCallback(finishedTask('task_9'))).toEqual({ taskId: 'task_9', stage: 'complete' });
    expect(newapi.parseCallback(streamingTask)).toEqual({ taskId: streamingTask.task_id, stage: 'first' });
    expect(newapi.parseCallback({ task_id: 'task_8', action: 'LYRICS', status: 'IN_PROGRESS', data: null })).toEqual({ taskId: 'task_8', stage: 'text' });
  });

  it('reads the envelope form and failure', () => {
    expect(newapi.parseCallback({ code: 'success', data: { task_id: 'task_7', status: 'FAILURE', fail_reason: 'x' } })).toEqual({ taskId: 'task_7', stage: 'error' });
  });

  it('refuses a body without a task id or status, naming the field', () => {
    expect(() => newapi.parseCallback({ status: 'SUCCESS' })).toThrow(/task_id/);
    expect(() => newapi.parseCallback({ task_id: 'x' })).toThrow(/status/);
    expect(() => newapi.parseCallback('nonsense')).toThrow(WireFormatError);
  });

  it('resolves model names', () => {
    expect(newapi.resolveModel(undefined)).toBe('chirp-v4');
    expect(newapi.resolveModel('LATEST')).toBe('chirp-v4');
    expect(newapi.resolveModel('chirp-v3-0')).toBe('chirp-v3-0');
  });
});

const source: ClipRef = { taskId: '736a6f88-bd29-4b1e-b110-37132a5325ac', clipId: 'e9893d04-6a63-4007-8473-64b706eca4d1', durationSeconds: 120 };
const CB = 'https://cb.example/callbacks/t';

describe('newapi transforms: requests', () => {
  it('offers extend, upload and concat, with the fields each can send', () => {
    expect(newapi.capabilities).toEqual(['lyrics', 'song', 'extend', 'upload', 'concat']);
    expect(newapi.transformFields).toEqual({
      extend: ['sources', 'continueAt', 'lyrics', 'style', 'title', 'model', 'instrumental'],
      upload: ['audioUrl'],
      concat: ['sources'],
    });
    expect(newapi.songFields).toEqual([]);
  });

  it('continues a clip on the music route with task_id, continue_at and continue_clip_id', () => {
    const call = newapi.buildSubmit(
      { kind: 'extend', transform: { sources: [source], continueAt: 95.5, lyrics: '[Bridge]\nla la', style: 'edm', title: 'Party II', model: 'chirp-v3-5', instrumental: false } },
      CB,
    );
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/submit/music',
      body: {
        task_id: '736a6f88-bd29-4b1e-b110-37132a5325ac',
        continue_at: 95.5,
        continue_clip_id: 'e9893d04-6a63-4007-8473-64b706eca4d1',
        mv: 'chirp-v3-5',
        prompt: '[Bridge]\nla la',
        tags: 'edm',
        title: 'Party II',
        make_instrumental: false,
        notify_hook: CB,
      },
    });
  });

  it('continues from the end of the clip when continueAt is not given, with the newest model', () => {
    const call = newapi.buildSubmit({ kind: 'extend', transform: { sources: [source] } }, undefined);
    expect(call.body).toEqual({ task_id: source.taskId, continue_at: 120, continue_clip_id: source.clipId, mv: 'chirp-v4' });
  });

  it('uploads audio by URL and concatenates the last extension of a chain', () => {
    expect(newapi.buildSubmit({ kind: 'upload', transform: { audioUrl: 'https://files.example/me.mp3' } }, CB)).toEqual({
      method: 'POST',
      path: '/suno/uploads/audio-url',
      body: { url: 'https://files.example/me.mp3' },
    });
    const extension: ClipRef = { taskId: 'task_ext', clipId: 'clip_ext' };
    expect(newapi.buildSubmit({ kind: 'concat', transform: { sources: [source, extension] } }, CB)).toEqual({
      method: 'POST',
      path: '/suno/submit/concat',
      body: { clip_id: 'clip_ext' },
    });
  });

  it('refuses invalid transforms before any request, naming the field', () => {
    const extend = (transform: object) => () => newapi.buildSubmit({ kind: 'extend', transform }, undefined);
    expect(extend({})).toThrow(/sources/);
    expect(extend({ sources: [source, source] })).toThrow(/sources/);
    expect(extend({ sources: [source], continueAt: -1 })).toThrow(/continueAt/);
    expect(extend({ sources: [source], continueAt: 121 })).toThrow(/continueAt.*past the end/);
    expect(extend({ sources: [{ taskId: 't', clipId: 'c' }] })).toThrow(/continueAt: required/);
    expect(extend({ sources: [{ taskId: '', clipId: 'c' }], continueAt: 3 })).toThrow(/taskId/);
    expect(() => newapi.buildSubmit({ kind: 'upload', transform: {} }, undefined)).toThrow(/audioUrl/);
    expect(() => newapi.buildSubmit({ kind: 'upload', transform: { audioUrl: 'not a url' } }, undefined)).toThrow(/url/);
    expect(() => newapi.buildSubmit({ kind: 'concat', transform: { sources: [] } }, undefined)).toThrow(/sources/);
  });

  it('refuses fields the relay cannot take, naming them', () => {
    expect(() => newapi.buildSubmit({ kind: 'extend', transform: { sources: [source], prompt: 'a calmer ending', vocalGender: 'female' } }, undefined)).toThrow(
      /newapi cannot take the fields prompt, vocalGender of the extend step/,
    );
    expect(() => newapi.buildSubmit({ kind: 'upload', transform: { audioUrl: 'https://x.example/a.mp3', style: 'pop' } }, undefined)).toThrow(/field style of the upload step/);
    expect(() => newapi.buildSubmit({ kind: 'concat', transform: { sources: [source], weights: { audio: 0.5 } } }, undefined)).toThrow(/weights\.audio/);
    expect(() => newapi.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, negativeStyle: 'metal' } }, undefined)).toThrow(/negativeStyle/);
    expect(unsupportedFields(newapi, { kind: 'extend', transform: { sources: [source], section: { start: 1, end: 2 } } })).toEqual(['section']);
    expect(() => newapi.buildSubmit({ kind: 'cover', transform: { sources: [source] } }, undefined)).toThrow(/newapi does not offer the cover step/);
  });

  it('reads every transform kind in batches: songs and extensions as MUSIC, uploads and concatenations with no action', () => {
    expect(newapi.buildBatchQuery!('extend', ['a', 'b']).body).toEqual({ ids: ['a', 'b'], action: 'MUSIC' });
    expect(newapi.buildBatchQuery!('upload', ['a', 'b']).body).toEqual({ ids: ['a', 'b'] });
    expect(newapi.buildBatchQuery!('concat', ['a', 'b']).body).toEqual({ ids: ['a', 'b'] });
    expect(newapi.buildQuery('concat', 'task_c')).toEqual({ method: 'GET', path: '/suno/fetch/task_c' });
  });
});

describe('newapi transforms: answers', () => {
  it('takes the task id of each transform submit', () => {
    expect(newapi.parseSubmit('extend', { code: 'success', message: '', data: 'task_e' })).toEqual({ taskId: 'task_e' });
    expect(newapi.parseSubmit('upload', { code: 'success', message: '', data: 'task_u' })).toEqual({ taskId: 'task_u' });
    expect(newapi.parseSubmit('concat', { code: 'success', data: { task_id: 'task_c' } })).toEqual({ taskId: 'task_c' });
  });

  it('reads an extension: two clips of new material', () => {
    const snapshot = newapi.parseQuery('extend', 'task_e', { code: 'success', message: '', data: finishedTask('task_e') });
    expect(snapshot).toEqual({
      taskId: 'task_e',
      state: 'succeeded',
      providerStatus: 'SUCCESS',
      lyrics: [],
      clips: [
        { id: 'task_e-a', title: 'Song', audioUrl: 'https://cdn1.suno.ai/task_e-a.mp3', imageUrl: 'https://i/a.png', durationSeconds: 120.5, tags: 'pop', lyrics: '[Verse] hi' },
        { id: 'task_e-b', title: 'Song', audioUrl: 'https://cdn1.suno.ai/task_e-b.mp3', durationSeconds: 118, tags: 'pop', lyrics: '[Verse] hi' },
      ],
    });
  });

  it('reads an upload: one complete clip usable as a source', () => {
    const body = {
      code: 'success',
      message: '',
      data: {
        task_id: 'task_u',
        action: 'MUSIC',
        status: 'SUCCESS',
        fail_reason: '',
        progress: '100%',
        data: [{ id: 'up-1', title: 'me', status: 'complete', audio_url: 'https://cdn1.suno.ai/up-1.mp3', metadata: { duration: 30.2, tags: null, prompt: null } }],
      },
    };
    expect(newapi.parseQuery('upload', 'task_u', body)).toEqual({
      taskId: 'task_u',
      state: 'succeeded',
      providerStatus: 'SUCCESS',
      lyrics: [],
      clips: [{ id: 'up-1', title: 'me', audioUrl: 'https://cdn1.suno.ai/up-1.mp3', durationSeconds: 30.2 }],
    });
  });

  it('reads a concatenation that drifts: string numbers, nulls while rendering, extra fields, no action', () => {
    const early = newapi.parseQuery('concat', 'task_c', { code: 'success', data: { task_id: 'task_c', status: 'IN_PROGRESS', progress: null, fail_reason: null, data: [{ id: 'whole', status: 'submitted', audio_url: null, metadata: null, extra: 1 }] } });
    expect(early).toMatchObject({ state: 'running', clips: [{ id: 'whole' }] });
    expect(early.clips[0]!.audioUrl).toBeUndefined();
    const streaming = newapi.parseQuery('concat', 'task_c', {
      code: 'success',
      data: { task_id: 'task_c', status: 'IN_PROGRESS', data: [{ id: 'whole', status: 'streaming', audio_url: 'https://audiopipe.suno.ai/?item_id=whole' }] },
    });
    expect(streaming.state).toBe('partial');
    expect(streaming.clips).toEqual([{ id: 'whole', streamAudioUrl: 'https://audiopipe.suno.ai/?item_id=whole' }]);
    const done = newapi.parseQuery('concat', 'task_c', {
      code: 'success',
      data: { task_id: 'task_c', status: 'SUCCESS', submit_time: '1716191749', new_field: { a: 1 }, data: [{ id: 'whole', status: 'complete', audio_url: 'https://cdn1.suno.ai/whole.mp3', duration: '245.3', model_name: 'chirp-v3' }] },
    });
    expect(done.clips).toEqual([{ id: 'whole', audioUrl: 'https://cdn1.suno.ai/whole.mp3', durationSeconds: 245.3 }]);
  });

  it('reads transform tasks from a batch answer, and names a malformed clip field', () => {
    const body = { code: 'success', data: [finishedTask('task_e'), { task_id: 'task_u', status: 'NOT_START', data: null }] };
    expect(newapi.parseBatchQuery!('upload', ['task_u', 'task_e'], body).map((s) => [s.taskId, s.state])).toEqual([
      ['task_u', 'queued'],
      ['task_e', 'succeeded'],
    ]);
    expect(() => newapi.parseQuery('concat', 'c', { code: 'success', data: { task_id: 'c', status: 'SUCCESS', data: [{ id: 'x', duration: { seconds: 3 } }] } })).toThrow(/duration/);
  });
});

describe('newapi and the inspiration playlist, audio editing and custom model of the other dialects', () => {
  it('refuses inspiration, crop and custom-model as steps it does not offer, naming the provider and the step', () => {
    const ref = { taskId: 't', clipId: 'c', audioUrl: 'https://cdn1.suno.ai/c.mp3', durationSeconds: 30 };
    expect(() => newapi.buildSubmit({ kind: 'inspiration', transform: { sources: [ref] } }, undefined)).toThrow(/^provider newapi does not offer the inspiration step \(it offers: .*\); nothing was submitted$/);
    expect(() => newapi.buildSubmit({ kind: 'crop', transform: { sources: [ref], section: { start: 1, end: 2 } } }, undefined)).toThrow(/provider newapi does not offer the crop step/);
    expect(() => newapi.buildSubmit({ kind: 'custom-model', customModel: { sources: Array(6).fill(ref), name: 'm' } }, undefined)).toThrow(/provider newapi does not offer the custom-model step/);
    for (const kind of ['inspiration', 'crop', 'custom-model'] as const) expect(newapi.capabilities).not.toContain(kind);
  });
});
