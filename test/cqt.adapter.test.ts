// The CQTAI gateway adapter against its seed and its family's documents: one generator route with a
// `task`, `{code, msg, data}` envelopes (429 is a task limit, 451 a refused artist name), and a
// query whose `result` is a clip list or one object depending on the task.
import { describe, expect, it } from 'vitest';
import { cqt } from '../providers/cqt/adapter';
import { unsupportedFields } from '../providers/capabilities';
import { ProviderError } from '../providers/errors';
import { TRANSFORM_FIELDS, TRANSFORM_STEPS, type ClipRef, type StepRequest, type TransformField, type TransformKind, type TransformRequest } from '../providers/model';
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

  it('makes an instrumental with a style in custom mode without lyrics, and refuses a description over 400 characters instead of cutting it', () => {
    const instrumental = cqt.buildSubmit({ kind: 'song', song: { prompt: 'calm', style: 'ambient', instrumental: true } }, undefined);
    expect(instrumental.body).toEqual({ task: 'create', model: 'v55', makeInstrumental: true, customMode: true, tags: 'ambient', title: 'Untitled' });
    expect(() => cqt.buildSubmit({ kind: 'song', song: { prompt: 'b'.repeat(900), instrumental: true } }, undefined)).toThrow(/prompt.*400/);
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

  it('refuses vox (no task value on the gateway) naming the provider and the step', () => {
    expect(() => cqt.buildSubmit({ kind: 'vox', transform: { sources: [source], lyrics: 'la' } }, undefined)).toThrow(/cqt.*vox/);
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

// Every transform of docs/transforms-wire.md ("cqt"), built from canonical requests and read back.
const sourceB: ClipRef = { taskId: 'a7c1f0e2b3d44e5f8a9b0c1d2e3f4a5b', clipId: '9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', durationSeconds: 120 };
const timed: ClipRef = { ...source, durationSeconds: 91.32 };
const upload = 'https://files.example.com/my-demo.mp3';

function body(kind: TransformKind, transform: TransformRequest): unknown {
  return cqt.buildSubmit({ kind, transform } as StepRequest, undefined).body;
}

describe('cqt capabilities', () => {
  it('offers every task of its table, and vox not at all', () => {
    const transforms = ['extend', 'cover', 'upload-extend', 'upload-cover', 'reuse-style', 'replace-section', 'add-instrumental', 'add-vocals', 'mashup', 'sample', 'sound-effect', 'remaster', 'upload', 'concat', 'crop', 'inspiration'] as const;
    for (const kind of [...transforms, 'cover-art', 'video', 'style', 'downbeats', 'custom-model'] as const) expect(cqt.capabilities).toContain(kind);
    expect(cqt.capabilities).not.toContain('vox');
    expect(Object.keys(cqt.transformFields ?? {}).sort()).toEqual([...transforms].sort());
    for (const kind of TRANSFORM_STEPS) expect(cqt.capabilities.includes(kind)).toBe(cqt.transformFields?.[kind] !== undefined);
    expect(cqt.songFields).toEqual(['negativeStyle', 'vocalGender', 'weights']);
  });

  it('sends the song fields with create: negative style, vocal gender and the three weights', () => {
    const song = { prompt: 'x', lyrics: '[Verse] hi', style: 'folk', title: 'Hi', instrumental: false, negativeStyle: 'metal', vocalGender: 'female' as const, weights: { style: 0.8, weirdness: 0.2, audio: 0.5 } };
    expect(cqt.buildSubmit({ kind: 'song', song }, undefined).body).toEqual({
      task: 'create',
      model: 'v55',
      customMode: true,
      makeInstrumental: false,
      prompt: '[Verse] hi',
      tags: 'folk',
      title: 'Hi',
      negativeTags: 'metal',
      vocalGender: 'f',
      styleWeight: 0.8,
      weirdnessConstraint: 0.2,
      audioWeight: 0.5,
    });
    const described = cqt.buildSubmit({ kind: 'song', song: { prompt: 'calm piano', instrumental: false, vocalGender: 'male' } }, undefined).body;
    expect(described).toEqual({ task: 'create', model: 'v55', customMode: false, makeInstrumental: false, prompt: 'calm piano', vocalGender: 'm' });
    expect(unsupportedFields(cqt, { kind: 'song', song: { prompt: 'x', instrumental: false, variation: 'high' } })).toEqual(['variation']);
    expect(() => cqt.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, variation: 'high' } }, undefined)).toThrow(/cqt cannot take the field variation of the song step/);
    expect(() => cqt.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, weights: { style: 1.5 } } }, undefined)).toThrow(/styleWeight/);
  });
});

describe('cqt transform requests', () => {
  it('extends a clip in custom mode with every song field', () => {
    const t: TransformRequest = {
      sources: [timed],
      continueAt: 60,
      lyrics: '[Verse 3] more',
      style: 'pop',
      negativeStyle: 'screamo',
      title: 'Two Tigers II',
      model: 'v45+',
      vocalGender: 'male',
      weights: { style: 0.7, weirdness: 0.1, audio: 0.4 },
      personaId: 'p1',
    };
    expect(cqt.buildSubmit({ kind: 'extend', transform: t }, 'https://cb.example/x')).toEqual({
      method: 'POST',
      path: '/api/cqt/generator/suno',
      body: {
        task: 'extend',
        clipId: timed.clipId,
        continueAt: 60,
        model: 'v45+',
        customMode: true,
        makeInstrumental: false,
        prompt: '[Verse 3] more',
        tags: 'pop',
        negativeTags: 'screamo',
        title: 'Two Tigers II',
        vocalGender: 'm',
        styleWeight: 0.7,
        weirdnessConstraint: 0.1,
        audioWeight: 0.4,
        personaId: 'p1',
      },
    });
  });

  it('extends from the end of a clip of known length in inspiration mode, and from 0', () => {
    expect(body('extend', { sources: [timed], prompt: 'a bridge' })).toEqual({ task: 'extend', clipId: timed.clipId, continueAt: 91.32, model: 'v55', customMode: false, makeInstrumental: false, prompt: 'a bridge' });
    expect(body('extend', { sources: [source], continueAt: 0, instrumental: true, style: 'lofi' })).toEqual({ task: 'extend', clipId: source.clipId, continueAt: 0, model: 'v55', customMode: true, makeInstrumental: true, tags: 'lofi' });
  });

  it('covers a clip, and covers and extends an upload', () => {
    expect(body('cover', { sources: [source], style: 'jazz', weights: { audio: 0.9 } })).toEqual({ task: 'cover', clipId: source.clipId, model: 'v55', customMode: false, makeInstrumental: false, tags: 'jazz', audioWeight: 0.9 });
    expect(body('cover', { sources: [source], lyrics: 'new words', prompt: 'sad ballad', title: 'T' })).toEqual({ task: 'cover', clipId: source.clipId, model: 'v55', customMode: true, makeInstrumental: false, prompt: 'new words', tags: 'sad ballad', title: 'T' });
    expect(body('upload-cover', { audioUrl: upload, instrumental: true, style: 'orchestral', title: 'Mine', weights: { weirdness: 0.3 } })).toEqual({
      task: 'upload_cover',
      audioUrl: upload,
      model: 'v55',
      customMode: true,
      makeInstrumental: true,
      tags: 'orchestral',
      title: 'Mine',
      weirdnessConstraint: 0.3,
    });
    expect(body('upload-extend', { audioUrl: upload, continueAt: 12.5, lyrics: 'la la', style: 'pop', model: 'latest' })).toEqual({
      task: 'upload_extend',
      audioUrl: upload,
      continueAt: 12.5,
      model: 'v55',
      customMode: true,
      makeInstrumental: false,
      prompt: 'la la',
      tags: 'pop',
    });
  });

  it('reuses a style with new lyrics, and replaces a section', () => {
    expect(body('reuse-style', { sources: [source], lyrics: '[Verse] new', title: 'Again' })).toEqual({ task: 'reuse_style', clipId: source.clipId, prompt: '[Verse] new', title: 'Again' });
    expect(body('reuse-style', { sources: [source], lyrics: 'x', model: 'v50' })).toEqual({ task: 'reuse_style', clipId: source.clipId, prompt: 'x', model: 'v50' });
    expect(body('replace-section', { sources: [timed], section: { start: 10, end: 25.5 }, lyrics: 'the second verse', style: 'rock', title: 'T' })).toEqual({
      task: 'replace_section',
      clipId: timed.clipId,
      infillStartS: 10,
      infillEndS: 25.5,
      prompt: 'the second verse',
      tags: 'rock',
      title: 'T',
    });
  });

  it('adds an instrumental to an upload and vocals to a clip, over a section or the whole', () => {
    expect(body('add-instrumental', { audioUrl: upload, section: { start: 0, end: 30 }, style: 'acoustic guitar', title: 'Backed', model: 'v55' })).toEqual({
      task: 'add_instrumental',
      audioUrl: upload,
      infillStartS: 0,
      infillEndS: 30,
      tags: 'acoustic guitar',
      title: 'Backed',
      model: 'v55',
    });
    expect(body('add-instrumental', { sources: [source] })).toEqual({ task: 'add_instrumental', clipId: source.clipId });
    expect(body('add-vocals', { sources: [timed], lyrics: '[Chorus] oh', style: 'soul' })).toEqual({ task: 'add_vocals', clipId: timed.clipId, tags: 'soul', prompt: '[Chorus] oh' });
    expect(body('add-vocals', { audioUrl: upload, lyrics: 'oh', section: { start: 5, end: 15 } })).toEqual({ task: 'add_vocals', audioUrl: upload, infillStartS: 5, infillEndS: 15, prompt: 'oh' });
  });

  it('mashes two clips up and samples a snippet', () => {
    expect(body('mashup', { sources: [source, sourceB], style: 'edm', title: 'Both' })).toEqual({ task: 'mashup', clipIds: [source.clipId, sourceB.clipId], model: 'v55', customMode: false, makeInstrumental: false, tags: 'edm', title: 'Both' });
    expect(body('sample', { sources: [sourceB], section: { start: 30, end: 40 }, prompt: 'a hip hop beat', negativeStyle: 'country' })).toEqual({
      task: 'sample',
      clipId: sourceB.clipId,
      sampleStartS: 30,
      sampleEndS: 40,
      model: 'v55',
      customMode: false,
      makeInstrumental: false,
      prompt: 'a hip hop beat',
      negativeTags: 'country',
    });
    expect(body('sample', { audioUrl: upload, prompt: 'chill' })).toEqual({ task: 'sample', audioUrl: upload, model: 'v55', customMode: false, makeInstrumental: false, prompt: 'chill' });
  });

  it('makes a sound effect, remasters, uploads and merges', () => {
    expect(body('sound-effect', { prompt: 'thunder rolling', seconds: 8 })).toEqual({ task: 'sound_effect', prompt: 'thunder rolling', durationS: 8 });
    expect(body('remaster', { sources: [source] })).toEqual({ task: 'remaster', clipId: source.clipId });
    expect(body('remaster', { sources: [source], model: 'latest' })).toEqual({ task: 'remaster', clipId: source.clipId, model: 'v55' });
    expect(body('upload', { audioUrl: upload })).toEqual({ task: 'upload', audioUrl: upload });
    expect(body('concat', { sources: [source, sourceB, timed] })).toEqual({ task: 'merge', clipIds: [source.clipId, sourceB.clipId, timed.clipId] });
  });

  it('asks for a cover image, a video, enhanced tags and downbeats', () => {
    expect(cqt.buildSubmit({ kind: 'cover-art', source }, undefined).body).toEqual({ task: 'cover_image', clipId: source.clipId });
    expect(cqt.buildSubmit({ kind: 'video', source }, undefined).body).toEqual({ task: 'video', clipId: source.clipId });
    expect(cqt.buildSubmit({ kind: 'video', source, prompt: 'neon city at night' }, undefined).body).toEqual({ task: 'video', clipId: source.clipId, prompt: 'neon city at night' });
    expect(cqt.buildSubmit({ kind: 'style', style: { prompt: 'sad piano' } }, undefined).body).toEqual({ task: 'enhance_tags', tags: 'sad piano' });
    expect(cqt.buildSubmit({ kind: 'downbeats', source }, undefined).body).toEqual({ task: 'downbeats', clipId: source.clipId });
    expect(() => cqt.buildSubmit({ kind: 'style', style: { prompt: '' } }, undefined)).toThrow(/tags/);
    expect(() => cqt.buildSubmit({ kind: 'downbeats', source: { ...source, clipId: '' } }, undefined)).toThrow(/clipId/);
  });

  it('refuses, by name and before building anything, a field the gateway cannot take', () => {
    const refusal = (kind: TransformKind, t: TransformRequest) => (errorOf(() => body(kind, t)) as Error).message;
    expect(refusal('remaster', { sources: [source], style: 'cleaner' })).toBe('provider cqt cannot take the field style of the remaster step; nothing was submitted');
    expect(refusal('replace-section', { sources: [timed], section: { start: 1, end: 2 }, lyrics: 'x', weights: { audio: 0.5 } })).toMatch(/field weights\.audio of the replace-section/);
    expect(refusal('extend', { sources: [timed], section: { start: 1, end: 2 } })).toMatch(/field section of the extend/);
    expect(refusal('sound-effect', { prompt: 'rain', seconds: 5, sources: [source] })).toMatch(/field sources of the sound-effect/);
    expect(refusal('concat', { sources: [source, sourceB], title: 'Joined', model: 'v55' })).toMatch(/fields title, model of the concat/);
    expect(refusal('upload', { audioUrl: upload, sources: [source] })).toMatch(/field sources of the upload/);
    expect(refusal('reuse-style', { sources: [source], lyrics: 'x', prompt: 'y' })).toMatch(/field prompt of the reuse-style/);
    expect(refusal('add-vocals', { sources: [source], lyrics: 'x', vocalGender: 'female' })).toMatch(/field vocalGender of the add-vocals/);
    expect(unsupportedFields(cqt, { kind: 'cover', transform: { sources: [source], continueAt: 3 } })).toEqual(['continueAt']);
  });

  it('refuses, for every transform, each canonical field outside its list', () => {
    const values: Record<TransformField, Partial<TransformRequest>> = {
      sources: { sources: [source] },
      audioUrl: { audioUrl: upload },
      prompt: { prompt: 'p' },
      lyrics: { lyrics: 'l' },
      style: { style: 's' },
      negativeStyle: { negativeStyle: 'n' },
      title: { title: 't' },
      model: { model: 'v55' },
      instrumental: { instrumental: true },
      continueAt: { continueAt: 1 },
      section: { section: { start: 1, end: 2 } },
      seconds: { seconds: 5 },
      'weights.weirdness': { weights: { weirdness: 0.5 } },
      'weights.style': { weights: { style: 0.5 } },
      'weights.audio': { weights: { audio: 0.5 } },
      vocalGender: { vocalGender: 'male' },
      personaId: { personaId: 'p1' },
      playlistId: { playlistId: 'pl1' },
    };
    let refusals = 0;
    for (const [kind, offered] of Object.entries(cqt.transformFields ?? {}) as [TransformKind, readonly TransformField[]][]) {
      for (const field of TRANSFORM_FIELDS) {
        if (offered.includes(field)) continue;
        expect(() => body(kind, values[field] as TransformRequest), `${kind} ${field}`).toThrow(`provider cqt cannot take the field ${field} of the ${kind} step`);
        refusals += 1;
      }
    }
    expect(refusals).toBeGreaterThan(80);
  });

  it('throws for invalid steps before any HTTP, naming the field', () => {
    const invalid = (kind: TransformKind, t: TransformRequest) => errorOf(() => body(kind, t));
    const cases: [TransformKind, TransformRequest, RegExp][] = [
      ['extend', { continueAt: 3 }, /sources: extend takes one clip, got 0/],
      ['extend', { sources: [source, sourceB], continueAt: 3 }, /sources: extend takes one clip, got 2/],
      ['extend', { sources: [source] }, /continueAt: required/],
      ['extend', { sources: [source], continueAt: -1 }, /continueAt: must be a number of seconds, at least 0/],
      ['extend', { sources: [timed], continueAt: 100 }, /continueAt: 100 s is past the end/],
      ['extend', { sources: [{ ...source, clipId: '' }], continueAt: 1 }, /sources\.0\.clipId: required/],
      ['extend', { sources: [source], continueAt: 1, lyrics: 'x', instrumental: true }, /lyrics: an instrumental takes no lyrics/],
      ['extend', { sources: [source], continueAt: 1, lyrics: 'x', style: 's', prompt: 'p' }, /prompt: with lyrics/],
      ['extend', { sources: [source], continueAt: 1, prompt: 'p'.repeat(401) }, /prompt: a description is at most 400/],
      ['upload-extend', { continueAt: 1 }, /audioUrl: required/],
      ['upload-cover', { audioUrl: 'not a url' }, /audioUrl/],
      ['replace-section', { sources: [timed], lyrics: 'x' }, /section: required/],
      ['replace-section', { sources: [timed], lyrics: 'x', section: { start: 20, end: 10 } }, /section\.end: must be after section\.start/],
      ['replace-section', { sources: [timed], lyrics: 'x', section: { start: -2, end: 10 } }, /section\.start: must be a number of seconds, at least 0/],
      ['replace-section', { sources: [timed], lyrics: 'x', section: { start: 80, end: 95 } }, /section\.end: 95 s is past the end/],
      ['replace-section', { sources: [timed], section: { start: 1, end: 5 } }, /lyrics: required/],
      ['add-vocals', { lyrics: 'x' }, /sources: a source clip or audioUrl is required/],
      ['add-vocals', { sources: [source], audioUrl: upload, lyrics: 'x' }, /sources: give a source clip or audioUrl, not both/],
      ['add-vocals', { sources: [source] }, /lyrics: required/],
      ['sample', { audioUrl: upload, section: { start: 5, end: 5 } }, /section\.end: must be after/],
      ['mashup', { sources: [source] }, /sources: mashup takes 2 clips, got 1/],
      ['concat', { sources: [source] }, /sources: concat takes at least 2 clips, got 1/],
      ['sound-effect', { prompt: 'rain' }, /seconds: required/],
      ['sound-effect', { prompt: 'rain', seconds: 45 }, /seconds: must be from 1 to 30/],
      ['sound-effect', { seconds: 3 }, /prompt: required/],
      ['remaster', {}, /sources: remaster takes one clip/],
      ['upload', {}, /audioUrl: required/],
    ];
    for (const [kind, t, message] of cases) {
      const err = invalid(kind, t);
      expect(err, `${kind} ${JSON.stringify(t)}`).toBeInstanceOf(WireFormatError);
      expect((err as Error).message, `${kind} ${JSON.stringify(t)}`).toMatch(message);
    }
  });
});

describe('cqt transform answers', () => {
  it('reads the task id of a transform submit, and a 451 refusal as rejected', () => {
    expect(cqt.parseSubmit('extend', { code: 200, msg: 'success', data: 'f00dfeed' })).toEqual({ taskId: 'f00dfeed' });
    for (const kind of ['cover', 'mashup', 'sound-effect', 'video'] as const) {
      const err = errorOf(() => cqt.parseSubmit(kind, { code: 451, msg: 'content moderation', data: null }));
      expect((err as ProviderError).errorClass).toBe('rejected');
    }
  });

  it('reads the two clips of a clip-making transform like a song', () => {
    const extended = cqt.parseQuery('extend', 'x1', info({ taskType: 'extend', result: [clip('e1'), clip('e2')] }));
    expect(extended.state).toBe('succeeded');
    expect(extended.clips.map((c) => c.id)).toEqual(['e1', 'e2']);
    expect(extended.clips[0]).toEqual({ id: 'e1', title: '两只老虎', audioUrl: 'https://cdn1.suno.ai/e1.mp3', imageUrl: 'https://cdn2.suno.ai/image_large_e1.jpeg', durationSeconds: 91.32, tags: 'Happy', lyrics: '两只老虎 两只老虎跑得快' });
    for (const kind of ['cover', 'upload-cover', 'upload-extend', 'reuse-style', 'add-vocals', 'add-instrumental', 'mashup', 'sample'] as const) {
      expect(cqt.parseQuery(kind, 'x', info({ taskType: kind, result: [clip('a'), clip('b')] })).clips).toHaveLength(2);
    }
  });

  it('reads the one clip of replace-section, remaster, sound effect, upload and merge, as a list or one object', () => {
    for (const kind of ['replace-section', 'remaster', 'sound-effect', 'upload', 'concat'] as const) {
      const listed = cqt.parseQuery(kind, 'x', info({ result: [clip('one', { duration: 10 })] }));
      expect(listed.clips).toEqual([expect.objectContaining({ id: 'one', audioUrl: 'https://cdn1.suno.ai/one.mp3', durationSeconds: 10 })]);
      const single = cqt.parseQuery(kind, 'x', info({ result: clip('solo') }));
      expect(single.clips.map((c) => c.id)).toEqual(['solo']);
    }
    const wrapped = cqt.parseQuery('concat', 'x', info({ taskType: 'merge', result: { clips: [clip('m')] } }));
    expect(wrapped.clips.map((c) => c.id)).toEqual(['m']);
  });

  it('reads a drifting clip answer: string numbers, missing fields, extras, early nulls, previews apart', () => {
    expect(cqt.parseQuery('mashup', 'x', info({ status: 'pending', result: null })).clips).toEqual([]);
    expect(cqt.parseQuery('mashup', 'x', info({ status: 'pending', result: null })).state).toBe('queued');
    const early = cqt.parseQuery('upload-cover', 'x', info({ status: 'running', result: [{ id: 'u1', status: 'submitted', audio_url: null, image_url: null, metadata: null, extra: { x: 1 } }] }));
    expect(early.state).toBe('running');
    expect(early.clips).toEqual([{ id: 'u1' }]);
    const streaming = cqt.parseQuery('extend', 'x', info({
      status: 'running',
      result: [
        { id: 's1', status: 'streaming', audio_url: 'https://audiopipe.suno.ai/?item_id=s1', duration: null, metadata: { duration: null } },
        { id: 's2', status: 'complete', audio_url: 'https://cdn1.suno.ai/s2.mp3', duration: '33.3', new_field: true },
      ],
    }));
    expect(streaming.state).toBe('partial');
    expect(streaming.clips).toEqual([
      { id: 's1', streamAudioUrl: 'https://audiopipe.suno.ai/?item_id=s1' },
      { id: 's2', audioUrl: 'https://cdn1.suno.ai/s2.mp3', durationSeconds: 33.3 },
    ]);
    const explicitStream = cqt.parseQuery('cover', 'x', info({ status: 'running', result: [{ id: 7, status: 'streaming', audio_url: '', stream_audio_url: 'https://audiopipe.suno.ai/?item_id=7' }] }));
    expect(explicitStream.clips).toEqual([{ id: '7', streamAudioUrl: 'https://audiopipe.suno.ai/?item_id=7' }]);
    // No status word on the clips: the finished task's audio is final.
    const bare = cqt.parseQuery('remaster', 'x', info({ result: [{ id: 'r1', audio_url: 'https://cdn1.suno.ai/r1.mp3' }] }));
    expect(bare.clips).toEqual([{ id: 'r1', audioUrl: 'https://cdn1.suno.ai/r1.mp3' }]);
    expect(() => cqt.parseQuery('sample', 'x', info({ result: [{ title: 'no id' }] }))).toThrow(/cqt create result.*0\.id/);
  });

  it('reports a moderated transform as a failure that is not retryable', () => {
    const moderated = cqt.parseQuery('add-vocals', 'x', info({ status: 'failed', errorMsg: 'content moderation', result: null }));
    expect(moderated.state).toBe('failed');
    expect(moderated.failure).toEqual({ reason: 'content moderation', retryable: false });
    const errored = cqt.parseQuery('cover', 'x', info({ result: [clip('c', { status: 'error', metadata: { error_message: 'artist name not allowed' } })] }));
    expect(errored.failure).toEqual({ reason: 'artist name not allowed', retryable: false });
  });

  it('reads the cover image, as documented and drifting', () => {
    expect(cqt.parseQuery('cover-art', 'x', info({ taskType: 'cover_image', result: { imageUrls: ['https://cdn2.suno.ai/a.jpeg', 'https://cdn2.suno.ai/b.jpeg'] } })).outputs).toEqual({
      imageUrls: ['https://cdn2.suno.ai/a.jpeg', 'https://cdn2.suno.ai/b.jpeg'],
    });
    expect(cqt.parseQuery('cover-art', 'x', info({ result: [{ image_urls: [null, '', { url: 'https://x/1.png' }, 'https://x/2.png', 'https://x/2.png'], extra: 1 }] })).outputs).toEqual({ imageUrls: ['https://x/1.png', 'https://x/2.png'] });
    expect(cqt.parseQuery('cover-art', 'x', info({ result: { image_url: 'https://x/only.png' } })).outputs).toEqual({ imageUrls: ['https://x/only.png'] });
    const early = cqt.parseQuery('cover-art', 'x', info({ status: 'running', result: { imageUrls: null } }));
    expect(early.state).toBe('running');
    expect(early.outputs).toBeUndefined();
    expect(() => cqt.parseQuery('cover-art', 'x', info({ result: { imageUrls: 42 } }))).toThrow(/cqt cover_image result\.imageUrls/);
  });

  it('reads the video, as documented and drifting', () => {
    expect(cqt.parseQuery('video', 'x', info({ taskType: 'video', result: { videoUrl: 'https://cdn1.suno.ai/v.mp4' } })).outputs).toEqual({ videoUrl: 'https://cdn1.suno.ai/v.mp4' });
    expect(cqt.parseQuery('video', 'x', info({ result: [{ video_url: 'https://cdn1.suno.ai/w.mp4', duration: '91.3' }] })).outputs).toEqual({ videoUrl: 'https://cdn1.suno.ai/w.mp4' });
    expect(cqt.parseQuery('video', 'x', info({ status: 'processing', result: { videoUrl: '' } })).outputs).toBeUndefined();
  });

  it('reads the enhanced tags as the style text', () => {
    expect(cqt.parseQuery('style', 'x', info({ taskType: 'enhance_tags', result: { tags: 'melancholic solo piano, soft reverb, slow tempo' } })).outputs).toEqual({ style: 'melancholic solo piano, soft reverb, slow tempo' });
    expect(cqt.parseQuery('style', 'x', info({ result: 'dreamy synthwave' })).outputs).toEqual({ style: 'dreamy synthwave' });
    expect(cqt.parseQuery('style', 'x', info({ result: [{ upsampled_tags: 'lofi beats', other: null }] })).outputs).toEqual({ style: 'lofi beats' });
    expect(cqt.parseQuery('style', 'x', info({ status: 'pending', result: null })).outputs).toBeUndefined();
  });

  it('reads the downbeats in seconds, as documented and drifting, naming a bad entry', () => {
    expect(cqt.parseQuery('downbeats', 'x', info({ taskType: 'downbeats', result: { downbeats: [0.52, 2.61, 4.7] } })).outputs).toEqual({ downbeats: [0.52, 2.61, 4.7] });
    expect(cqt.parseQuery('downbeats', 'x', info({ result: { downbeats: ['0.5', null, { time: '2.5' }, 4], bpm: '115' } })).outputs).toEqual({ downbeats: [0.5, 2.5, 4] });
    expect(cqt.parseQuery('downbeats', 'x', info({ result: [1, '2'] })).outputs).toEqual({ downbeats: [1, 2] });
    expect(cqt.parseQuery('downbeats', 'x', info({ status: 'running', result: null })).outputs).toBeUndefined();
    expect(() => cqt.parseQuery('downbeats', 'x', info({ result: { downbeats: [1, 'soon'] } }))).toThrow(/result\.downbeats.*1: not a number of seconds/);
    expect(() => cqt.parseQuery('downbeats', 'x', info({ result: { downbeats: 'many' } }))).toThrow(/cqt downbeats result\.downbeats/);
  });
});

describe('cqt inspiration playlist, audio editing and custom model', () => {
  const clipsOf = (n: number): ClipRef[] => Array.from({ length: n }, (_, i) => ({ taskId: `t${i}`, clipId: `c${i}` }));

  it('inspires from a playlist id with the model and the advanced fields, and refuses reference clips or URLs by name', () => {
    expect(body('inspiration', { playlistId: '119573ff-8e48-4fe6-9029-39c76c9a5597' })).toEqual({ task: 'inspiration', model: 'v55', playlistId: '119573ff-8e48-4fe6-9029-39c76c9a5597' });
    expect(body('inspiration', { playlistId: 'pl', prompt: 'more brass', model: 'v45', personaId: 'p1', weights: { style: 0.7, weirdness: 0.2, audio: 0.4 } })).toEqual({
      task: 'inspiration',
      model: 'v45',
      playlistId: 'pl',
      prompt: 'more brass',
      personaId: 'p1',
      styleWeight: 0.7,
      weirdnessConstraint: 0.2,
      audioWeight: 0.4,
    });
    expect(errorOf(() => body('inspiration', { sources: [source] })) as Error).toHaveProperty('message', 'provider cqt cannot take the field sources of the inspiration step; nothing was submitted');
    expect((errorOf(() => body('inspiration', { audioUrl: upload, style: 'jazz' })) as Error).message).toMatch(/fields audioUrl, style of the inspiration/);
    expect((errorOf(() => body('inspiration', { prompt: 'x' })) as Error).message).toMatch(/playlistId: required/);
    expect((errorOf(() => body('inspiration', { playlistId: 'pl', prompt: 'p'.repeat(401) })) as Error).message).toMatch(/prompt: at most 400/);
  });

  it('crops a clip to a section, with a title, and refuses what a crop cannot take', () => {
    expect(body('crop', { sources: [timed], section: { start: 10, end: 40 } })).toEqual({ task: 'crop', clipId: timed.clipId, cropStartS: 10, cropEndS: 40 });
    expect(body('crop', { sources: [source], section: { start: 0, end: 30 }, title: 'Intro' })).toEqual({ task: 'crop', clipId: source.clipId, cropStartS: 0, cropEndS: 30, title: 'Intro' });
    expect((errorOf(() => body('crop', { sources: [timed] })) as Error).message).toMatch(/section: required/);
    expect((errorOf(() => body('crop', { sources: [timed], section: { start: 5, end: 5 } })) as Error).message).toMatch(/section\.end: must be after/);
    expect((errorOf(() => body('crop', { sources: [timed], section: { start: 80, end: 95 } })) as Error).message).toMatch(/section\.end: 95 s is past the end/);
    expect((errorOf(() => body('crop', { sources: [source, sourceB], section: { start: 0, end: 1 } })) as Error).message).toMatch(/crop takes one clip, got 2/);
    expect((errorOf(() => body('crop', { sources: [source], section: { start: 0, end: 1 }, style: 'x' })) as Error).message).toBe('provider cqt cannot take the field style of the crop step; nothing was submitted');
  });

  it('trains a custom model on six or more clips, by name, and refuses fewer', () => {
    const call = cqt.buildSubmit({ kind: 'custom-model', customModel: { sources: clipsOf(6), name: 'My Style' } }, undefined);
    expect(call).toEqual({ method: 'POST', path: '/api/cqt/generator/suno', body: { task: 'custom_model', clipIds: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'], name: 'My Style' } });
    expect(() => cqt.buildSubmit({ kind: 'custom-model', customModel: { sources: clipsOf(5), name: 'x' } }, undefined)).toThrow(/sources: cqt trains a model on at least 6 clips, got 5/);
    expect(() => cqt.buildSubmit({ kind: 'custom-model', customModel: { sources: [...clipsOf(5), { taskId: 't', clipId: '' }], name: 'x' } }, undefined)).toThrow(/sources\.5\.clipId: required/);
    expect(() => cqt.buildSubmit({ kind: 'custom-model', customModel: { sources: clipsOf(6), name: '' } }, undefined)).toThrow(/name/);
  });

  it('reads the crop and the inspiration as clips, and the custom model as its id, documented and drifting', () => {
    expect(cqt.parseQuery('crop', 'x', info({ taskType: 'crop', result: [clip('cut', { duration: 30 })] })).clips).toEqual([expect.objectContaining({ id: 'cut', durationSeconds: 30 })]);
    const inspired = cqt.parseQuery('inspiration', 'x', info({ taskType: 'create', result: [clip('a'), clip('b')] }));
    expect(inspired.clips.map((c) => c.id)).toEqual(['a', 'b']);
    const running = cqt.parseQuery('inspiration', 'x', info({ status: 'processing', result: [clip('a', { status: 'streaming' })] }));
    expect(running.state).toBe('partial');
    expect(running.clips[0]!.audioUrl).toBeUndefined();
    expect(cqt.parseQuery('custom-model', 'x', info({ taskType: 'custom_model', result: { modelId: 'chirp-custom:5b1c', name: 'My Style' } })).outputs).toEqual({ modelId: 'chirp-custom:5b1c' });
    expect(cqt.parseQuery('custom-model', 'x', info({ result: [{ model_id: 'chirp-custom:9', extra: 1 }] })).outputs).toEqual({ modelId: 'chirp-custom:9' });
    expect(cqt.parseQuery('custom-model', 'x', info({ result: 'chirp-custom:7' })).outputs).toEqual({ modelId: 'chirp-custom:7' });
    const training = cqt.parseQuery('custom-model', 'x', info({ status: 'running', result: null }));
    expect(training.state).toBe('running');
    expect(training.outputs).toBeUndefined();
  });
});
