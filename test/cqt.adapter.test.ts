// The CQTAI gateway adapter against its seed and its family's documents: one generator route with a
// `task`, `{code, msg, data}` envelopes (429 is a task limit, 451 a refused artist name), and a
// query whose `result` is a clip list or one object depending on the task.
import { describe, expect, it } from 'vitest';
import { cqt } from '../providers/cqt/adapter';
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

const source: ClipRef = { taskId: 'de6f28d589c6416f9baabd5d0b227f7f', clipId: '05d72140-38f5-4eb4-bdaa-a6e0d1c1167e' };

function info(over: Record<string, unknown>) {
  return { code: 200, msg: 'success', data: { id: 'eb6ef8e92f3a4ef6b05376913349241a', taskType: 'create', status: 'succeeded', errorMsg: '', param: { task: 'create', model: 'chirp-v50' }, ...over } };
}

function clip(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    title: '两只老虎',
    handle: 'playfulsubtlety0358',
    status: 'complete',
    metadata: { tags: 'Happy', type: 'gen', prompt: '两只老虎 两只老虎跑得快', stream: true, duration: 91.32, has_stem: false },
    audio_url: `https://cdn1.suno.ai/${id}.mp3`,
    image_url: `https://cdn2.suno.ai/image_${id}.jpeg`,
    image_large_url: `https://cdn2.suno.ai/image_large_${id}.jpeg`,
    video_url: '',
    model_name: 'chirp-crow',
    batch_index: 0,
    ...over,
  };
}

describe('cqt requests', () => {
  it('creates a described song in inspiration mode with v55', () => {
    expect(cqt.buildSubmit({ kind: 'song', song: { prompt: 'A happy song', instrumental: false } }, 'https://cb.example/x')).toEqual({
      method: 'POST',
      path: '/api/cqt/generator/suno',
      body: { task: 'create', model: 'v55', makeInstrumental: false, customMode: false, prompt: 'A happy song' },
    });
  });

  it('creates our lyrics in custom mode with tags and title, and keeps a persona', () => {
    const call = cqt.buildSubmit({ kind: 'song', song: { prompt: 'x', lyrics: '[Verse] 两只老虎', title: '两只老虎', style: 'Happy', instrumental: false, model: 'v45', personaId: 'p1' } }, undefined);
    expect(call.body).toEqual({ task: 'create', model: 'v45', makeInstrumental: false, personaId: 'p1', customMode: true, prompt: '[Verse] 两只老虎', tags: 'Happy', title: '两只老虎' });
  });

  it('makes an instrumental with a style in custom mode without lyrics, and keeps descriptions within 400 characters', () => {
    const instrumental = cqt.buildSubmit({ kind: 'song', song: { prompt: 'calm', style: 'ambient', instrumental: true } }, undefined);
    expect(instrumental.body).toEqual({ task: 'create', model: 'v55', makeInstrumental: true, customMode: true, tags: 'ambient', title: 'Untitled' });
    const long = cqt.buildSubmit({ kind: 'song', song: { prompt: 'b'.repeat(900), instrumental: true } }, undefined);
    expect((long.body as { prompt: string }).prompt).toHaveLength(400);
  });

  it('maps every clip step to its task value', () => {
    const task = (kind: 'stems' | 'all-stems' | 'wav' | 'mp4' | 'timestamped-lyrics') => cqt.buildSubmit({ kind, source }, undefined).body;
    expect(task('stems')).toEqual({ task: 'gen_stem_two', clipId: source.clipId });
    expect(task('all-stems')).toEqual({ task: 'gen_stem_all', clipId: source.clipId });
    expect(task('wav')).toEqual({ task: 'wav', clipId: source.clipId });
    expect(task('mp4')).toEqual({ task: 'mp4', clipId: source.clipId });
    expect(task('timestamped-lyrics')).toEqual({ task: 'timeline', clipId: source.clipId });
    expect(cqt.buildSubmit({ kind: 'lyrics', lyrics: { prompt: 'A happy song about a girl and a boy.' } }, undefined).body).toEqual({ task: 'lyrics', prompt: 'A happy song about a girl and a boy.' });
    expect(cqt.buildSubmit({ kind: 'persona', persona: { source, name: '两只老虎', description: '第一次生成的角色' } }, undefined).body).toEqual({
      task: 'persona',
      taskId: source.taskId,
      clipId: source.clipId,
      name: '两只老虎',
      description: '第一次生成的角色',
    });
  });

  it('refuses cover art (no documented task value) naming the provider and the step', () => {
    expect(() => cqt.buildSubmit({ kind: 'cover-art', source }, undefined)).toThrow(/cqt.*cover-art/);
    expect(() => cqt.buildSubmit({ kind: 'wav', source: { ...source, clipId: '' } }, undefined)).toThrow(/clipId/);
  });

  it('polls the info route by id', () => {
    expect(cqt.buildQuery('song', 'b1405dad')).toEqual({ method: 'GET', path: '/api/cqt/info/suno?id=b1405dad' });
  });
});

describe('cqt submit answers', () => {
  it('reads the task id, as a string or number code', () => {
    expect(cqt.parseSubmit('song', { code: 200, msg: 'success', data: 'b1405dadb0374f29a87a5657bc89f952' })).toEqual({ taskId: 'b1405dadb0374f29a87a5657bc89f952' });
    expect(cqt.parseSubmit('wav', { code: '200', data: 42 })).toEqual({ taskId: '42' });
    expect(cqt.parseSubmit('wav', { code: 200, data: { id: 'abc' } })).toEqual({ taskId: 'abc' });
  });

  it('classifies the documented errors with their own meaning, keeping the message', () => {
    const cases: [number, string, string][] = [
      [451, "we don't reference specific artists on Suno", 'rejected'],
      [401, 'Unauthorized', 'auth'],
      [402, 'insufficient credits', 'billing'],
      [429, 'Task limit reached', 'throttled'],
      [500, 'failed / timeout', 'unavailable'],
    ];
    for (const [code, msg, errorClass] of cases) {
      const err = errorOf(() => cqt.parseSubmit('song', { code, msg, data: null }));
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).errorClass).toBe(errorClass);
      expect((err as ProviderError).providerMessage).toBe(msg);
    }
    expect(cqt.classify(429)).toBe('throttled');
    expect(cqt.classify(451)).toBe('rejected');
  });

  it('treats success without an id as ambiguous', () => {
    expect((errorOf(() => cqt.parseSubmit('song', { code: 200, msg: 'success', data: null })) as ProviderError).errorClass).toBe('ambiguous');
  });
});

describe('cqt query answers', () => {
  it('reads a finished create task with its clip list, extra fields and numbers as strings', () => {
    const snapshot = cqt.parseQuery('song', 'eb6e', info({ result: [clip('c1'), clip('c2', { metadata: { duration: '88.5', tags: 'Happy' } })], createTime: '2025-01-01', completeTime: '2025-01-01' }));
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.taskId).toBe('eb6ef8e92f3a4ef6b05376913349241a');
    expect(snapshot.clips).toEqual([
      { id: 'c1', title: '两只老虎', audioUrl: 'https://cdn1.suno.ai/c1.mp3', imageUrl: 'https://cdn2.suno.ai/image_large_c1.jpeg', durationSeconds: 91.32, tags: 'Happy', lyrics: '两只老虎 两只老虎跑得快' },
      { id: 'c2', title: '两只老虎', audioUrl: 'https://cdn1.suno.ai/c2.mp3', imageUrl: 'https://cdn2.suno.ai/image_large_c2.jpeg', durationSeconds: 88.5, tags: 'Happy' },
    ]);
  });

  it('is queued, running or partial before it finishes, with empty results', () => {
    expect(cqt.parseQuery('song', 't', info({ status: 'pending', result: null })).state).toBe('queued');
    expect(cqt.parseQuery('song', 't', info({ status: 'running', result: [] })).state).toBe('running');
    expect(cqt.parseQuery('song', 't', info({ status: 'running', result: '' })).state).toBe('running');
    const partial = cqt.parseQuery('song', 't', info({ status: 'processing', result: [clip('c1'), clip('c2', { status: 'streaming', audio_url: '' })] }));
    expect(partial.state).toBe('partial');
    expect(cqt.parseQuery('song', 't', info({ status: 'SomethingNew' })).state).toBe('running');
  });

  it('reports failures: a refused artist name is not retryable, a timeout is', () => {
    const artist = cqt.parseQuery('song', 't', info({ status: 'failed', errorMsg: 'artist name not allowed', result: null }));
    expect(artist.failure).toEqual({ reason: 'artist name not allowed', retryable: false });
    const timeout = cqt.parseQuery('song', 't', info({ status: 'failed', errorMsg: 'timeout' }));
    expect(timeout.failure).toEqual({ reason: 'timeout', retryable: true });
    const clipsErrored = cqt.parseQuery('song', 't', info({ status: 'succeeded', result: [clip('c1', { status: 'error', metadata: { error_message: 'content moderation' } })] }));
    expect(clipsErrored.state).toBe('failed');
    expect(clipsErrored.failure).toEqual({ reason: 'content moderation', retryable: false });
  });

  it('names stems from the stem group, numbering repeated candidates', () => {
    const stem = (id: string, group: string) => clip(id, { title: ` (${group})`, metadata: { task: 'gen_stem', duration: 167.36, stem_task: 'twelve', stem_type_group_name: group } });
    const snapshot = cqt.parseQuery('all-stems', 'b1', info({ taskType: 'gen_stem_all', result: [stem('a', 'Vocals'), stem('b', 'Backing Vocals'), stem('c', 'Vocals')] }));
    expect(snapshot.outputs?.stems).toEqual([
      { name: 'vocals', url: 'https://cdn1.suno.ai/a.mp3' },
      { name: 'backing-vocals', url: 'https://cdn1.suno.ai/b.mp3' },
      { name: 'vocals-2', url: 'https://cdn1.suno.ai/c.mp3' },
    ]);
    expect(snapshot.clips).toEqual([]);
    const two = cqt.parseQuery('stems', 'b2', info({ taskType: 'gen_stem_two', result: [clip('v', { title: 'Song (Vocals)', metadata: {} }), clip('i', { title: 'Song (Instrumental)', metadata: null })] }));
    expect(two.outputs?.stems?.map((s) => s.name)).toEqual(['vocals', 'instrumental']);
  });

  it('reads the timeline, WAV, MP4 and persona result objects', () => {
    const timeline = cqt.parseQuery('timestamped-lyrics', 't', info({
      taskType: 'timeline',
      result: { aligned_words: [{ word: '[Verse 1]\nRed ', success: true, start_s: 9.09574, end_s: 9.33511, p_align: 0.99 }, { word: 'eyes ', success: true, start_s: '9.43484', end_s: '9.73404' }] },
    }));
    expect(timeline.outputs?.alignedWords).toEqual([
      { word: '[Verse 1]\nRed ', startSeconds: 9.09574, endSeconds: 9.33511 },
      { word: 'eyes ', startSeconds: 9.43484, endSeconds: 9.73404 },
    ]);
    expect(cqt.parseQuery('wav', 't', info({ taskType: 'wav', result: { wav_url: 'https://cdn1.suno.ai/x.wav' } })).outputs).toEqual({ wavUrl: 'https://cdn1.suno.ai/x.wav' });
    expect(cqt.parseQuery('mp4', 't', info({ taskType: 'mp4', result: [{ video_url: 'https://cdn1.suno.ai/x.mp4' }] })).outputs).toEqual({ videoUrl: 'https://cdn1.suno.ai/x.mp4' });
    expect(cqt.parseQuery('persona', 't', info({ taskType: 'persona', result: { id: 'fd213afd', name: '两只老虎' } })).outputs).toEqual({ personaId: 'fd213afd' });
  });

  it('reads lyrics in object, list or text form', () => {
    expect(cqt.parseQuery('lyrics', 't', info({ taskType: 'lyrics', result: { text: '[Verse] a', title: 'A' } })).lyrics).toEqual([{ text: '[Verse] a', title: 'A' }]);
    expect(cqt.parseQuery('lyrics', 't', info({ taskType: 'lyrics', result: [{ text: 'one' }, { text: '' }, { lyrics: 'two', title: 'B' }] })).lyrics).toEqual([{ text: 'one' }, { text: 'two', title: 'B' }]);
    expect(cqt.parseQuery('lyrics', 't', info({ taskType: 'lyrics', result: 'plain words' })).lyrics).toEqual([{ text: 'plain words' }]);
  });

  it('throws for error envelopes and names missing fields', () => {
    expect((errorOf(() => cqt.parseQuery('song', 't', { code: 401, msg: 'Unauthorized' })) as ProviderError).errorClass).toBe('auth');
    expect(() => cqt.parseQuery('song', 't', { code: 200, data: { id: 't' } })).toThrow(/status/);
    expect(() => cqt.parseQuery('song', 't', { code: 200, data: null })).toThrow(WireFormatError);
    expect(() => cqt.parseQuery('song', 't', info({ result: [{ title: 'no id' }] }))).toThrow(/id/);
  });
});

describe('cqt callbacks and names', () => {
  it('has no callbacks', () => {
    expect(cqt.supportsCallbacks).toBe(false);
    expect(() => cqt.parseCallback({ id: 'x' })).toThrow(/no callbacks/);
  });

  it('resolves model names', () => {
    expect(cqt.resolveModel(undefined)).toBe('v55');
    expect(cqt.resolveModel('latest')).toBe('v55');
    expect(cqt.resolveModel('v45+')).toBe('v45+');
  });
});
