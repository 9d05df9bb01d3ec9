// The NewAPI relay adapter against the seed's examples (single and batch fetch) and the relay's own
// behaviour: NOT_START ... SUCCESS/FAILURE statuses, task_... ids, errors as word codes, ids left
// out of batch answers, and notify_hook deliveries.
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../providers/errors';
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
        audioUrl: 'https://audiopipe.suno.ai/?item_id=e9893d04-6a63-4007-8473-64b706eca4d1',
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
