// The AnyInt adapter against the payload shapes its API family documents, including early stages,
// failures, numbers sent as strings, extra fields, and the callback's snake_case.
import { describe, expect, it } from 'vitest';
import { anyint, NO_CALLBACK_URL } from '../providers/anyint/adapter';
import { ProviderError } from '../providers/errors';
import { WireFormatError } from '../providers/wire';

describe('anyint requests', () => {
  it('sends a described song in simple mode with the callback URL', () => {
    const call = anyint.buildSubmit({ kind: 'song', song: { prompt: 'rain on the roof', instrumental: false } }, 'https://cb.example/callbacks/t');
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/generate',
      body: { customMode: false, instrumental: false, model: 'V5', callBackUrl: 'https://cb.example/callbacks/t', prompt: 'rain on the roof' },
    });
  });

  it('sends our own lyrics in custom mode with style and title', () => {
    const call = anyint.buildSubmit(
      { kind: 'song', song: { prompt: 'rain', lyrics: '[Verse]\nla la', title: 'Rain', style: 'piano', instrumental: false, model: 'V4_5' } },
      undefined,
    );
    expect(call.body).toEqual({ customMode: true, instrumental: false, model: 'V4_5', callBackUrl: NO_CALLBACK_URL, prompt: '[Verse]\nla la', style: 'piano', title: 'Rain' });
  });

  it('refuses to send a field the dialect does not define', () => {
    expect(() => anyint.buildSubmit({ kind: 'song', song: { prompt: '', instrumental: false } }, undefined)).toThrow(/prompt/);
  });

  it('asks the query route of the task family', () => {
    expect(anyint.buildQuery('lyrics', 'a b').path).toBe('/suno/query/lyrics?taskId=a%20b');
    expect(anyint.buildQuery('song', 'x').path).toBe('/suno/query/task?taskId=x');
  });
});

describe('anyint answers', () => {
  it('reads the task id, also when sent as a number or in snake_case', () => {
    expect(anyint.parseSubmit('song', { code: 200, msg: 'success', data: { taskId: 'abc' } })).toEqual({ taskId: 'abc' });
    expect(anyint.parseSubmit('lyrics', { code: '200', data: { task_id: 12345 }, extra: true })).toEqual({ taskId: '12345' });
  });

  it('turns an error envelope into a classified provider error keeping the message', () => {
    const cases: [number, string][] = [
      [400, 'rejected'],
      [401, 'auth'],
      [405, 'throttled'],
      [413, 'rejected'],
      [429, 'billing'],
      [430, 'throttled'],
      [455, 'unavailable'],
      [500, 'unavailable'],
    ];
    for (const [code, errorClass] of cases) {
      const err = (() => {
        try {
          anyint.parseSubmit('song', { code, msg: `message ${code}` });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).errorClass).toBe(errorClass);
      expect((err as ProviderError).message).toContain(`message ${code}`);
    }
  });

  it('normalizes an early song stage with empty fields', () => {
    const snapshot = anyint.parseQuery('song', 't1', {
      code: 200,
      msg: 'success',
      data: {
        taskId: 't1',
        status: 'TEXT_SUCCESS',
        response: { taskId: 't1', sunoData: [{ id: 'c1', audioUrl: '', streamAudioUrl: '', duration: null, title: 'X', newField: 1 }] },
        errorCode: null,
        errorMessage: null,
      },
    });
    expect(snapshot.state).toBe('partial');
    expect(snapshot.clips).toEqual([{ id: 'c1', title: 'X' }]);
  });

  it('keeps streaming previews apart from finished audio', () => {
    const query = (status: string, sunoData: unknown[]) => anyint.parseQuery('song', 't1', { code: 200, data: { taskId: 't1', status, response: { sunoData } } });
    // The family's own shape: the preview in streamAudioUrl, audioUrl empty until the clip is done.
    const text = query('TEXT_SUCCESS', [{ id: 'c1', audioUrl: '', streamAudioUrl: 'https://s/c1', duration: null }]);
    expect(text.clips).toEqual([{ id: 'c1', streamAudioUrl: 'https://s/c1' }]);
    // A relay that fills audioUrl with the preview before any clip is done.
    const relay = query('TEXT_SUCCESS', [{ id: 'c1', audioUrl: 'https://s/c1', sourceStreamAudioUrl: 'https://s/c1' }]);
    expect(relay.clips).toEqual([{ id: 'c1', streamAudioUrl: 'https://s/c1' }]);
    const pending = query('PENDING', [{ id: 'c1', audioUrl: 'https://s/c1' }]);
    expect(pending.clips).toEqual([{ id: 'c1', streamAudioUrl: 'https://s/c1' }]);
    // First clip done (a file with its duration), the second still streaming under its stream URL.
    const first = query('FIRST_SUCCESS', [
      { id: 'c1', audioUrl: 'https://m/c1.mp3', streamAudioUrl: 'https://s/c1', duration: '120.5' },
      { id: 'c2', audioUrl: 'https://s/c2', streamAudioUrl: 'https://s/c2', duration: null },
    ]);
    expect(first.clips).toEqual([
      { id: 'c1', audioUrl: 'https://m/c1.mp3', streamAudioUrl: 'https://s/c1', durationSeconds: 120.5 },
      { id: 'c2', streamAudioUrl: 'https://s/c2' },
    ]);
    // Finished: the audio is the file, whatever the stream URL.
    const done = query('SUCCESS', [{ id: 'c2', audioUrl: 'https://m/c2.mp3', streamAudioUrl: 'https://m/c2.mp3', duration: 90 }]);
    expect(done.clips).toEqual([{ id: 'c2', audioUrl: 'https://m/c2.mp3', streamAudioUrl: 'https://m/c2.mp3', durationSeconds: 90 }]);
  });

  it('normalizes a finished song with durations sent as strings', () => {
    const snapshot = anyint.parseQuery('song', 't1', {
      code: 200,
      data: {
        taskId: 't1',
        status: 'SUCCESS',
        response: { sunoData: [{ id: 'c1', audioUrl: 'https://m/a.mp3', imageUrl: 'https://m/a.png', duration: '182.4', prompt: '[Verse] words', tags: 'pop' }] },
      },
    });
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.clips[0]).toEqual({ id: 'c1', audioUrl: 'https://m/a.mp3', imageUrl: 'https://m/a.png', durationSeconds: 182.4, lyrics: '[Verse] words', tags: 'pop' });
  });

  it('reports failures with the reason and whether a new submit can help', () => {
    const audio = anyint.parseQuery('song', 't', { code: 200, data: { status: 'GENERATE_AUDIO_FAILED', errorMessage: 'busy' } });
    expect(audio.failure).toEqual({ reason: 'busy', retryable: true });
    const words = anyint.parseQuery('song', 't', { code: 200, data: { status: 'SENSITIVE_WORD_ERROR' } });
    expect(words.state).toBe('failed');
    expect(words.failure?.retryable).toBe(false);
  });

  it('reads lyrics variants', () => {
    const snapshot = anyint.parseQuery('lyrics', 'l1', {
      code: 200,
      data: { taskId: 'l1', status: 'SUCCESS', response: { taskId: 'l1', data: [{ text: '[Verse] a', title: 'A', status: 'complete', errorMessage: '' }, { text: '', title: 'B' }] } },
    });
    expect(snapshot.lyrics).toEqual([{ text: '[Verse] a', title: 'A' }]);
  });

  it('names the field when a query answer has the wrong shape', () => {
    expect(() => anyint.parseQuery('song', 't', { code: 200, data: { response: {} } })).toThrow(WireFormatError);
    expect(() => anyint.parseQuery('song', 't', { code: 200, data: { response: {} } })).toThrow(/status/);
  });
});

describe('anyint callbacks', () => {
  it('reads the stage and the snake_case task id', () => {
    expect(anyint.parseCallback({ code: 200, msg: 'ok', data: { callbackType: 'first', task_id: 'abc', data: [] } })).toEqual({ taskId: 'abc', stage: 'first' });
  });

  it('accepts camelCase taskId and marks error codes as the error stage', () => {
    expect(anyint.parseCallback({ code: 400, msg: 'failed', data: { callbackType: 'complete', taskId: 'abc', data: null } })).toEqual({ taskId: 'abc', stage: 'error' });
  });

  it('accepts the envelope-less webhook whose data is the clip list, reading the stage at the top (regression)', () => {
    const clips = [{ id: 'c1', audio_url: '', stream_audio_url: 'https://s/c1', title: 'X' }];
    for (const stage of ['text', 'first', 'complete', 'error'] as const) {
      expect(anyint.parseCallback({ callbackType: stage, task_id: 'abc', data: clips })).toEqual({ taskId: 'abc', stage });
      expect(anyint.parseCallback({ callbackType: stage, taskId: 'abc', data: clips })).toEqual({ taskId: 'abc', stage });
    }
    expect(anyint.parseCallback({ callbackType: 'FIRST', task_id: 42, data: [] })).toEqual({ taskId: '42', stage: 'first' });
    expect(anyint.parseCallback({ callbackType: 'complete', task_id: 'abc', data: null })).toEqual({ taskId: 'abc', stage: 'complete' });
    // A top-level callbackType next to an envelope is read too, not taken for "complete".
    expect(anyint.parseCallback({ code: 200, msg: 'ok', callbackType: 'text', task_id: 'abc', data: clips })).toEqual({ taskId: 'abc', stage: 'text' });
    expect(anyint.parseCallback({ code: 200, callbackType: 'first', data: { task_id: 'abc' } })).toEqual({ taskId: 'abc', stage: 'first' });
    // An error code still wins over the stage.
    expect(anyint.parseCallback({ code: 501, msg: 'failed', callbackType: 'first', task_id: 'abc', data: [] })).toEqual({ taskId: 'abc', stage: 'error' });
  });

  it('reads the task id as task_id or taskId, at the top or inside data', () => {
    expect(anyint.parseCallback({ code: 200, data: { callbackType: 'text', taskId: 'in' } })).toEqual({ taskId: 'in', stage: 'text' });
    expect(anyint.parseCallback({ code: 200, taskId: 'top', data: { callbackType: 'first', data: [] } })).toEqual({ taskId: 'top', stage: 'first' });
    expect(anyint.parseCallback({ code: 200, task_id: 'top', data: { callbackType: 'complete', data: [] } })).toEqual({ taskId: 'top', stage: 'complete' });
  });

  it('refuses an envelope-less body without a task id or with an unknown stage, naming the field', () => {
    expect(() => anyint.parseCallback({ callbackType: 'first', data: [] })).toThrow(/task_id/);
    expect(() => anyint.parseCallback({ callbackType: 'halfway', task_id: 'x', data: [] })).toThrow(/^.*: callbackType: unknown value "halfway"/);
    expect(() => anyint.parseCallback([{ callbackType: 'first', task_id: 'x' }])).toThrow(WireFormatError);
    expect(() => anyint.parseCallback({ callbackType: 3, task_id: 'x', data: [] })).toThrow(/callbackType/);
  });

  it('refuses a body without a task id or with an unknown stage, naming the field', () => {
    expect(() => anyint.parseCallback({ code: 200, data: { callbackType: 'complete' } })).toThrow(/task_id/);
    expect(() => anyint.parseCallback({ code: 200, data: { task_id: 'x', callbackType: 'halfway' } })).toThrow(/callbackType/);
    expect(() => anyint.parseCallback('nonsense')).toThrow(WireFormatError);
  });
});

// ---- Work on a finished song: persona, stems, WAV, video, cover art, timestamped lyrics ----

const CLIP = { taskId: 'song-task-1', clipId: 'clip-a', audioUrl: 'https://m/a.mp3', durationSeconds: 182.4 };
const CB = 'https://cb.example/callbacks/t';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('anyint post-song requests', () => {
  it('declares every step it can run', () => {
    expect([...anyint.capabilities].sort()).toEqual(
      [
        'all-stems',
        'cover-art',
        'lyrics',
        'mp4',
        'persona',
        'song',
        'stems',
        'timestamped-lyrics',
        'wav',
        'style',
        'extend',
        'upload-cover',
        'upload-extend',
        'add-vocals',
        'add-instrumental',
        'replace-section',
      ].sort(),
    );
  });

  it('asks for a persona from the source task and audio id, without a callback', () => {
    const call = anyint.buildSubmit({ kind: 'persona', persona: { source: CLIP, name: 'Summer Roads', description: 'pop, warm female vocal' } }, CB);
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/generate-persona',
      body: { taskId: 'song-task-1', audioId: 'clip-a', name: 'Summer Roads', description: 'pop, warm female vocal' },
    });
  });

  it('shortens an over-long persona name rather than sending what the family refuses', () => {
    const call = anyint.buildSubmit({ kind: 'persona', persona: { source: CLIP, name: 'n'.repeat(300), description: 'd' } }, CB);
    expect((call.body as { name: string }).name).toHaveLength(100);
    expect(() => anyint.buildSubmit({ kind: 'persona', persona: { source: CLIP, name: '', description: 'd' } }, CB)).toThrow(/name/);
  });

  it('separates vocals and multitrack stems through the vocal-removal route', () => {
    expect(anyint.buildSubmit({ kind: 'stems', source: CLIP }, CB)).toEqual({
      method: 'POST',
      path: '/suno/vocal-removal',
      body: { taskId: 'song-task-1', audioId: 'clip-a', callBackUrl: CB, type: 'separate_vocal' },
    });
    expect(anyint.buildSubmit({ kind: 'all-stems', source: CLIP }, undefined)).toEqual({
      method: 'POST',
      path: '/suno/vocal-removal',
      body: { taskId: 'song-task-1', audioId: 'clip-a', callBackUrl: NO_CALLBACK_URL, type: 'split_stem' },
    });
  });

  it('exports WAV and video for one clip, and cover art for the whole song task', () => {
    expect(anyint.buildSubmit({ kind: 'wav', source: CLIP }, CB)).toEqual({
      method: 'POST',
      path: '/suno/wav-generate',
      body: { taskId: 'song-task-1', audioId: 'clip-a', callBackUrl: CB },
    });
    expect(anyint.buildSubmit({ kind: 'mp4', source: CLIP }, CB)).toEqual({
      method: 'POST',
      path: '/suno/mp4-generate',
      body: { taskId: 'song-task-1', audioId: 'clip-a', callBackUrl: CB },
    });
    expect(anyint.buildSubmit({ kind: 'cover-art', source: CLIP }, CB)).toEqual({
      method: 'POST',
      path: '/suno/generate-cover',
      body: { taskId: 'song-task-1', callBackUrl: CB },
    });
  });

  it('asks for timestamped lyrics by task and audio id', () => {
    expect(anyint.buildSubmit({ kind: 'timestamped-lyrics', source: CLIP }, CB)).toEqual({
      method: 'POST',
      path: '/suno/timestamped-lyrics',
      body: { taskId: 'song-task-1', audioId: 'clip-a' },
    });
  });

  it('refuses a source without ids before anything is sent', () => {
    expect(() => anyint.buildSubmit({ kind: 'wav', source: { taskId: '', clipId: 'c' } }, CB)).toThrow(/taskId/);
    expect(() => anyint.buildSubmit({ kind: 'stems', source: { taskId: 't', clipId: '' } }, CB)).toThrow(/audioId/);
  });

  it('polls each task family on its own query route, and refuses to query synchronous steps', () => {
    expect(anyint.buildQuery('stems', 'v1').path).toBe('/suno/query/vocal-removal?taskId=v1');
    expect(anyint.buildQuery('all-stems', 'v2').path).toBe('/suno/query/vocal-removal?taskId=v2');
    expect(anyint.buildQuery('wav', 'w').path).toBe('/suno/query/wav?taskId=w');
    expect(anyint.buildQuery('mp4', 'm').path).toBe('/suno/query/mp4?taskId=m');
    expect(anyint.buildQuery('cover-art', 'c').path).toBe('/suno/query/cover?taskId=c');
    expect(() => anyint.buildQuery('persona', 'p')).toThrow(/persona.*submit itself/);
    expect(() => anyint.buildQuery('timestamped-lyrics', 'x')).toThrow(/timestamped-lyrics.*submit itself/);
    expect(() => anyint.buildQuery('remaster', 'r')).toThrow(/anyint.*remaster/);
  });
});

describe('anyint synchronous answers', () => {
  it('turns a persona answer into a finished step whose task id is the persona id', () => {
    const outcome = anyint.parseSubmit('persona', { code: 200, msg: 'success', data: { personaId: 'p-123', name: 'N', description: 'D', extra: 1 } });
    expect(outcome.taskId).toBe('p-123');
    expect(outcome.completed).toMatchObject({ taskId: 'p-123', state: 'succeeded', outputs: { personaId: 'p-123' } });
  });

  it('reads a numeric persona id and refuses a success without one as ambiguous', () => {
    expect(anyint.parseSubmit('persona', { code: '200', data: { personaId: 987, name: null } }).taskId).toBe('987');
    const err = thrown(() => anyint.parseSubmit('persona', { code: 200, msg: 'success', data: { name: 'N' } }));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).errorClass).toBe('ambiguous');
  });

  it('keeps the persona error of a clip that already made one', () => {
    const err = thrown(() => anyint.parseSubmit('persona', { code: 400, msg: 'audioId: this audio already made persona p-1', data: null }));
    expect((err as ProviderError).errorClass).toBe('rejected');
    expect((err as ProviderError).message).toContain('already made persona');
  });

  it('reads aligned words, with times sent as strings and unplaceable words dropped', () => {
    const outcome = anyint.parseSubmit('timestamped-lyrics', {
      code: 200,
      msg: 'success',
      data: {
        alignedWords: [
          { word: '[Verse]\nWalking ', success: true, startS: 1.2, endS: '1.5', palign: 0 },
          { word: 'through ', success: true, startS: '1.6', endS: 1.9, palign: 0.1 },
          { word: 'lost ', success: false, startS: null, endS: null },
          { word: 'night\n', start_s: 2.0, end_s: 2.4 },
          { word: 'backwards ', startS: 3, endS: 2 },
        ],
        waveformData: [0.1, 0.5],
        hootCer: 0.12,
        isStreamed: false,
      },
    });
    expect(outcome.taskId).toBe('timestamped-lyrics');
    expect(outcome.completed?.state).toBe('succeeded');
    expect(outcome.completed?.outputs?.alignedWords).toEqual([
      { word: '[Verse]\nWalking ', startSeconds: 1.2, endSeconds: 1.5 },
      { word: 'through ', startSeconds: 1.6, endSeconds: 1.9 },
      { word: 'night\n', startSeconds: 2.0, endSeconds: 2.4 },
    ]);
  });

  it('answers an instrumental with no words, and names the source when a relay echoes it', () => {
    const empty = anyint.parseSubmit('timestamped-lyrics', { code: 200, data: { alignedWords: [], waveformData: [] } });
    expect(empty.completed?.outputs?.alignedWords).toEqual([]);
    const nulls = anyint.parseSubmit('timestamped-lyrics', { code: 200, data: { alignedWords: null, taskId: 's1', audioId: 'c1' } });
    expect(nulls).toMatchObject({ taskId: 's1:c1:timestamped-lyrics', completed: { outputs: { alignedWords: [] } } });
  });

  it('names the missing field when a timestamped-lyrics answer has no words at all', () => {
    expect(() => anyint.parseSubmit('timestamped-lyrics', { code: 200, data: { waveformData: [] } })).toThrow(/alignedWords/);
  });

  it('reads the task id of every asynchronous post-song submit', () => {
    for (const kind of ['stems', 'all-stems', 'wav', 'mp4', 'cover-art'] as const) {
      expect(anyint.parseSubmit(kind, { code: 200, msg: 'success', data: { taskId: `t-${kind}` } })).toEqual({ taskId: `t-${kind}` });
    }
  });
});

describe('anyint post-song records', () => {
  it('reads a pending separation with an empty response', () => {
    const snapshot = anyint.parseQuery('stems', 'v1', {
      code: 200,
      data: { taskId: 'v1', musicId: 'clip-a', response: null, successFlag: 'PENDING', completeTime: null, errorCode: null, errorMessage: null },
    });
    expect(snapshot).toMatchObject({ taskId: 'v1', state: 'queued', providerStatus: 'PENDING', clips: [], lyrics: [] });
    expect(snapshot.outputs).toBeUndefined();
  });

  it('reads vocals and instrumental, ignoring null and empty tracks and the original mix', () => {
    const snapshot = anyint.parseQuery('stems', 'v1', {
      code: 200,
      data: {
        taskId: 'v1',
        response: { originUrl: 'https://m/o.mp3', instrumentalUrl: 'https://m/i.mp3', vocalUrl: 'https://m/v.mp3', drumsUrl: null, bassUrl: '' },
        successFlag: 'SUCCESS',
        completeTime: '1753782937000',
        newField: { nested: true },
      },
    });
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.outputs).toEqual({
      stems: [
        { name: 'vocals', url: 'https://m/v.mp3' },
        { name: 'instrumental', url: 'https://m/i.mp3' },
      ],
    });
  });

  it('reads multitrack stems, also from snake_case vocal_removal_info', () => {
    const snapshot = anyint.parseQuery('all-stems', 'v2', {
      code: 200,
      data: {
        task_id: 'v2',
        status: 'success',
        vocal_removal_info: { vocal_url: 'https://m/v.mp3', drums_url: 'https://m/d.mp3', bass_url: 'https://m/b.mp3', keyboard_url: 'https://m/k.mp3', instrumental_url: null },
      },
    });
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.outputs?.stems?.map((stem) => stem.name)).toEqual(['vocals', 'drums', 'bass', 'keyboard']);
  });

  it('falls back to the originData track list', () => {
    const snapshot = anyint.parseQuery('stems', 'v3', {
      code: 200,
      data: {
        successFlag: 'SUCCESS',
        response: {
          originData: [
            { duration: 245.6, audio_url: 'https://m/1.mp3', stem_type_group_name: 'Vocals', id: 'x' },
            { extract: { audio_url: 'https://m/2.mp3', stem_type_group_name: 'Instrumental' } },
          ],
        },
      },
    });
    expect(snapshot.outputs?.stems).toEqual([
      { name: 'vocals', url: 'https://m/1.mp3' },
      { name: 'instrumental', url: 'https://m/2.mp3' },
    ]);
  });

  it('keeps waiting when a record says SUCCESS before any file is there', () => {
    const snapshot = anyint.parseQuery('wav', 'w', { code: 200, data: { successFlag: 'SUCCESS', response: { audioWavUrl: '' } } });
    expect(snapshot.state).toBe('running');
    expect(snapshot.providerStatus).toBe('SUCCESS');
  });

  it('reads a WAV and a video URL', () => {
    const wav = anyint.parseQuery('wav', 'w', {
      code: 200,
      data: { taskId: 'w', musicId: 'c', response: { audioWavUrl: 'https://m/s.wav' }, successFlag: 'SUCCESS', createTime: '2025-01-01 00:00:00' },
    });
    expect(wav).toMatchObject({ state: 'succeeded', outputs: { wavUrl: 'https://m/s.wav' } });
    const mp4 = anyint.parseQuery('mp4', 'm', { code: 200, data: { taskId: 'm', response: { videoUrl: 'https://m/v.mp4' }, successFlag: 'SUCCESS', completeTime: 1735661400000 } });
    expect(mp4).toMatchObject({ state: 'succeeded', outputs: { videoUrl: 'https://m/v.mp4' } });
  });

  it('reads cover art whose successFlag is a number (also sent as a string)', () => {
    const pending = anyint.parseQuery('cover-art', 'c', { code: 200, data: { taskId: 'c', response: null, successFlag: 0 } });
    expect(pending.state).toBe('queued');
    const generating = anyint.parseQuery('cover-art', 'c', { code: 200, data: { taskId: 'c', successFlag: '2' } });
    expect(generating).toMatchObject({ state: 'running', providerStatus: 'GENERATING' });
    const done = anyint.parseQuery('cover-art', 'c', {
      code: 200,
      data: { taskId: 'c', parentTaskId: 'song', response: { images: ['https://m/1.png', '', 'https://m/2.png'] }, successFlag: 1, errorCode: 200, errorMessage: '' },
    });
    expect(done).toMatchObject({ state: 'succeeded', outputs: { imageUrls: ['https://m/1.png', 'https://m/2.png'] } });
    const failed = anyint.parseQuery('cover-art', 'c', { code: 200, data: { taskId: 'c', successFlag: 3, errorMessage: 'no image' } });
    expect(failed).toMatchObject({ state: 'failed', failure: { reason: 'no image', retryable: true } });
  });

  it('reports failures with the reason and whether a new submit can help', () => {
    const mp4 = anyint.parseQuery('mp4', 'm', { code: 200, data: { successFlag: 'GENERATE_MP4_FAILED', errorCode: 501, errorMessage: 'render failed' } });
    expect(mp4).toMatchObject({ state: 'failed', failure: { reason: 'render failed', retryable: true } });
    const wav = anyint.parseQuery('wav', 'w', { code: 200, data: { successFlag: 'GENERATE_WAV_FAILED' } });
    expect(wav.failure).toEqual({ reason: 'wav task ended with GENERATE_WAV_FAILED', retryable: true });
    const words = anyint.parseQuery('stems', 'v', { code: 200, data: { successFlag: 'SENSITIVE_WORD_ERROR' } });
    expect(words).toMatchObject({ state: 'failed', failure: { retryable: false } });
  });

  it('counts a callback exception with its files present as done', () => {
    const snapshot = anyint.parseQuery('mp4', 'm', { code: 200, data: { successFlag: 'CALLBACK_EXCEPTION', response: { videoUrl: 'https://m/v.mp4' } } });
    expect(snapshot.state).toBe('succeeded');
    const without = anyint.parseQuery('mp4', 'm', { code: 200, data: { successFlag: 'CALLBACK_EXCEPTION', response: null } });
    expect(without.state).toBe('failed');
  });

  it('reads an unknown intermediate flag as running, and names a missing flag', () => {
    expect(anyint.parseQuery('wav', 'w', { code: 200, data: { successFlag: 'CONVERTING' } }).state).toBe('running');
    expect(() => anyint.parseQuery('wav', 'w', { code: 200, data: { response: {} } })).toThrow(/successFlag/);
    expect(() => anyint.parseQuery('wav', 'w', { code: 200, data: null })).toThrow(WireFormatError);
  });

  it('turns an error envelope on a record query into a classified provider error', () => {
    const err = thrown(() => anyint.parseQuery('stems', 'x', { code: 400, msg: 'task not found', data: null }));
    expect((err as ProviderError).errorClass).toBe('rejected');
    expect((err as ProviderError).message).toContain('task not found');
  });
});

describe('anyint post-song callbacks', () => {
  it('reads the finished stage from webhooks without a callbackType', () => {
    const stems = { code: 200, msg: 'vocal Removal generated successfully.', data: { task_id: 'v1', vocal_removal_info: { vocal_url: 'https://m/v.mp3' } } };
    expect(anyint.parseCallback(stems)).toEqual({ taskId: 'v1', stage: 'complete' });
    expect(anyint.parseCallback({ code: 200, msg: 'success', data: { audioWavUrl: 'https://m/s.wav', task_id: 'w1' } })).toEqual({ taskId: 'w1', stage: 'complete' });
    expect(anyint.parseCallback({ code: 200, msg: 'MP4 generated successfully.', data: { task_id: 'm1', video_url: 'https://m/v.mp4' } })).toEqual({ taskId: 'm1', stage: 'complete' });
    expect(anyint.parseCallback({ code: '200', data: { images: ['https://m/1.png'], taskId: 'c1' }, msg: 'success' })).toEqual({ taskId: 'c1', stage: 'complete' });
  });

  it('marks failed post-song webhooks as the error stage', () => {
    expect(anyint.parseCallback({ code: 501, msg: 'Cover generation failed', data: { taskId: 'c1', images: null } })).toEqual({ taskId: 'c1', stage: 'error' });
    expect(anyint.parseCallback({ code: 400, msg: 'failed', data: { task_id: 'm1', video_url: null } })).toEqual({ taskId: 'm1', stage: 'error' });
  });

  it('finds the task id at the top level or one level deeper', () => {
    expect(anyint.parseCallback({ code: 200, task_id: 'top', data: null })).toEqual({ taskId: 'top', stage: 'complete' });
    expect(anyint.parseCallback({ code: 200, data: { data: { task_id: 'deep' } } })).toEqual({ taskId: 'deep', stage: 'complete' });
    expect(anyint.parseCallback({ code: 200, data: { task_id: 'x', callbackType: 'COMPLETE' } })).toEqual({ taskId: 'x', stage: 'complete' });
  });
});

// ---- Transforms (docs/transforms-wire.md, anyint) ----

describe('anyint transform requests', () => {
  const SOURCE = { taskId: 'song-task-1', clipId: 'clip-a', audioUrl: 'https://m/a.mp3', durationSeconds: 120, title: 'Summer Roads' };

  it('declares the fields each transform can send, and no optional song field', () => {
    expect(anyint.songFields).toEqual([]);
    expect(Object.keys(anyint.transformFields ?? {}).sort()).toEqual(['add-instrumental', 'add-vocals', 'extend', 'replace-section', 'upload-cover', 'upload-extend']);
    expect(anyint.transformFields?.extend).toContain('weights.style');
    expect(anyint.transformFields?.extend).not.toContain('weights.audio');
    expect(anyint.transformFields?.['replace-section']).not.toContain('model');
  });

  it('extends a clip from continueAt with every optional field, mapped to the family names', () => {
    const call = anyint.buildSubmit(
      {
        kind: 'extend',
        transform: {
          sources: [SOURCE],
          continueAt: 60,
          lyrics: '[Chorus] on and on',
          style: 'pop',
          title: 'Summer Roads II',
          negativeStyle: 'metal',
          vocalGender: 'female',
          weights: { style: 0.7, weirdness: 0.2 },
          personaId: 'p-1',
          model: 'V4_5',
        },
      },
      CB,
    );
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/extend',
      body: {
        callBackUrl: CB,
        taskId: 'song-task-1',
        audioId: 'clip-a',
        defaultParamFlag: true,
        continueAt: 60,
        model: 'V4_5',
        prompt: '[Chorus] on and on',
        style: 'pop',
        title: 'Summer Roads II',
        personaId: 'p-1',
        negativeTags: 'metal',
        vocalGender: 'f',
        styleWeight: 0.7,
        weirdnessConstraint: 0.2,
      },
    });
  });

  it('extends from the end of the source when continueAt is not given, with the newest model', () => {
    const call = anyint.buildSubmit({ kind: 'extend', transform: { sources: [SOURCE], prompt: 'a bridge' } }, undefined);
    expect(call.body).toEqual({ callBackUrl: NO_CALLBACK_URL, taskId: 'song-task-1', audioId: 'clip-a', defaultParamFlag: true, continueAt: 120, model: 'V5', prompt: 'a bridge' });
  });

  it('refuses an extend without a source, with two, past the source, negative, or with both prompt and lyrics, naming the field', () => {
    const extend = (transform: object) => () => anyint.buildSubmit({ kind: 'extend', transform }, CB);
    expect(extend({ continueAt: 10 })).toThrow(/sources: required/);
    expect(extend({ sources: [SOURCE, SOURCE], continueAt: 10 })).toThrow(/sources: takes one clip/);
    expect(extend({ sources: [SOURCE], continueAt: -1 })).toThrow(/continueAt: .*not negative/);
    expect(extend({ sources: [SOURCE], continueAt: 130 })).toThrow(/continueAt: 130 s is beyond the source's 120 s/);
    expect(extend({ sources: [{ taskId: 't', clipId: 'c' }] })).toThrow(/continueAt: required/);
    expect(extend({ sources: [{ taskId: '', clipId: 'c' }], continueAt: 1 })).toThrow(/sources\[0\]\.taskId/);
    expect(extend({ sources: [SOURCE], continueAt: 1, prompt: 'a', lyrics: 'b' })).toThrow(/prompt: .*not both/);
    expect(extend({ sources: [SOURCE], continueAt: 1, weights: { style: 2 } })).toThrow(/weights\.style: must be between 0 and 1/);
  });

  it('refuses a field the route cannot take, naming it, before anything is built', () => {
    expect(() => anyint.buildSubmit({ kind: 'extend', transform: { sources: [SOURCE], continueAt: 1, weights: { audio: 0.5 } } }, CB)).toThrow(
      /provider anyint cannot take the field weights\.audio of the extend step/,
    );
    expect(() => anyint.buildSubmit({ kind: 'replace-section', transform: { sources: [SOURCE], section: { start: 1, end: 5 }, model: 'V5', instrumental: true } }, CB)).toThrow(
      /the fields model, instrumental of the replace-section step/,
    );
    expect(() => anyint.buildSubmit({ kind: 'add-instrumental', transform: { audioUrl: 'https://u/v.mp3', style: 'rock', lyrics: 'la' } }, CB)).toThrow(/field lyrics/);
    expect(() => anyint.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, negativeStyle: 'metal' } }, CB)).toThrow(/field negativeStyle of the song step/);
    // A transform it does not offer is refused as a step, not field by field.
    expect(() => anyint.buildSubmit({ kind: 'remaster', transform: { sources: [SOURCE] } }, CB)).toThrow(/does not offer the remaster step/);
  });

  it('covers uploaded audio in simple mode from a description', () => {
    const call = anyint.buildSubmit({ kind: 'upload-cover', transform: { audioUrl: 'https://u/song.mp3', prompt: 'a jazz version', weights: { audio: 0.4 } } }, CB);
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/upload-cover',
      body: { callBackUrl: CB, uploadUrl: 'https://u/song.mp3', customMode: false, instrumental: false, prompt: 'a jazz version', model: 'V5', audioWeight: 0.4 },
    });
  });

  it('covers uploaded audio in custom mode with lyrics, or as an instrumental with a style', () => {
    const sung = anyint.buildSubmit(
      { kind: 'upload-cover', transform: { audioUrl: 'https://u/song.mp3', lyrics: '[Verse] hi', style: 'jazz', title: 'Hi', vocalGender: 'male', negativeStyle: 'rap' } },
      CB,
    );
    expect(sung.body).toEqual({
      callBackUrl: CB,
      uploadUrl: 'https://u/song.mp3',
      customMode: true,
      instrumental: false,
      prompt: '[Verse] hi',
      style: 'jazz',
      title: 'Hi',
      model: 'V5',
      negativeTags: 'rap',
      vocalGender: 'm',
    });
    const instrumental = anyint.buildSubmit({ kind: 'upload-cover', transform: { audioUrl: 'https://u/song.mp3', instrumental: true, style: 'lofi', model: 'latest' } }, CB);
    expect(instrumental.body).toEqual({ callBackUrl: CB, uploadUrl: 'https://u/song.mp3', customMode: true, instrumental: true, style: 'lofi', title: 'Untitled', model: 'V5' });
  });

  it('refuses an upload-cover it cannot build, naming the field', () => {
    const cover = (transform: object) => () => anyint.buildSubmit({ kind: 'upload-cover', transform }, CB);
    expect(cover({ prompt: 'x' })).toThrow(/audioUrl: required/);
    expect(cover({ audioUrl: 'not a url', prompt: 'x' })).toThrow(/uploadUrl/);
    expect(cover({ audioUrl: 'https://u/a.mp3', style: 'jazz' })).toThrow(/style: a sung cover takes a style only with lyrics/);
    expect(cover({ audioUrl: 'https://u/a.mp3', instrumental: true, lyrics: 'la' })).toThrow(/lyrics: an instrumental cover has no lyrics/);
    expect(cover({ audioUrl: 'https://u/a.mp3', lyrics: 'la', prompt: 'x', style: 'jazz' })).toThrow(/prompt: custom mode/);
    expect(cover({ audioUrl: 'https://u/a.mp3' })).toThrow(/prompt: required/);
  });

  it('extends uploaded audio from continueAt', () => {
    const call = anyint.buildSubmit(
      { kind: 'upload-extend', transform: { audioUrl: 'https://u/song.mp3', continueAt: 30.5, lyrics: '[Outro] bye', style: 'folk', title: 'Bye', instrumental: false, weights: { audio: 0.6, weirdness: 0.1 } } },
      CB,
    );
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/upload-extend',
      body: {
        callBackUrl: CB,
        uploadUrl: 'https://u/song.mp3',
        defaultParamFlag: true,
        instrumental: false,
        continueAt: 30.5,
        model: 'V5',
        prompt: '[Outro] bye',
        style: 'folk',
        title: 'Bye',
        weirdnessConstraint: 0.1,
        audioWeight: 0.6,
      },
    });
    expect(() => anyint.buildSubmit({ kind: 'upload-extend', transform: { audioUrl: 'https://u/song.mp3' } }, CB)).toThrow(/continueAt: required/);
    expect(() => anyint.buildSubmit({ kind: 'upload-extend', transform: { audioUrl: 'https://u/song.mp3', continueAt: -3 } }, CB)).toThrow(/continueAt/);
  });

  it('adds vocals to the user\'s instrumental or to a clip, by URL', () => {
    const own = anyint.buildSubmit({ kind: 'add-vocals', transform: { audioUrl: 'https://u/inst.mp3', lyrics: '[Verse] la', style: 'soul', title: 'La', weights: { audio: 0.9 }, model: 'V4_5PLUS' } }, CB);
    expect(own).toEqual({
      method: 'POST',
      path: '/suno/add-vocals',
      body: { callBackUrl: CB, uploadUrl: 'https://u/inst.mp3', prompt: '[Verse] la', title: 'La', style: 'soul', audioWeight: 0.9, model: 'V4_5PLUS' },
    });
    const clip = anyint.buildSubmit({ kind: 'add-vocals', transform: { sources: [SOURCE], prompt: 'a choir', style: 'gospel', vocalGender: 'female' } }, CB);
    expect(clip.body).toEqual({ callBackUrl: CB, uploadUrl: 'https://m/a.mp3', prompt: 'a choir', title: 'Summer Roads', style: 'gospel', vocalGender: 'f' });
    const vocals = (transform: object) => () => anyint.buildSubmit({ kind: 'add-vocals', transform }, CB);
    expect(vocals({ audioUrl: 'https://u/i.mp3', style: 'soul' })).toThrow(/lyrics: required/);
    expect(vocals({ audioUrl: 'https://u/i.mp3', lyrics: 'la' })).toThrow(/style: required/);
    expect(vocals({ sources: [{ taskId: 't', clipId: 'c' }], lyrics: 'la', style: 's' })).toThrow(/sources\[0\]\.audioUrl: required/);
    expect(vocals({ sources: [SOURCE], audioUrl: 'https://u/i.mp3', lyrics: 'la', style: 's' })).toThrow(/audioUrl: .*not both/);
    expect(vocals({ lyrics: 'la', style: 's' })).toThrow(/audioUrl: required/);
    expect(vocals({ audioUrl: 'https://u/i.mp3', lyrics: 'la', style: 's', section: { start: 0, end: 5 } })).toThrow(/field section/);
  });

  it('adds an instrumental to a vocal, the style sent as tags', () => {
    const call = anyint.buildSubmit({ kind: 'add-instrumental', transform: { audioUrl: 'https://u/vox.mp3', style: 'acoustic guitar', title: 'Unplugged', negativeStyle: 'drums' } }, CB);
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/add-instrumental',
      body: { callBackUrl: CB, uploadUrl: 'https://u/vox.mp3', title: 'Unplugged', tags: 'acoustic guitar', negativeTags: 'drums' },
    });
    expect(() => anyint.buildSubmit({ kind: 'add-instrumental', transform: { audioUrl: 'https://u/vox.mp3' } }, CB)).toThrow(/style: required/);
  });

  it('replaces a section of a clip by task and audio id', () => {
    const call = anyint.buildSubmit(
      { kind: 'replace-section', transform: { sources: [SOURCE], section: { start: 10, end: 25.5 }, lyrics: '[Bridge] new words', style: 'pop', negativeStyle: 'rock' } },
      CB,
    );
    expect(call).toEqual({
      method: 'POST',
      path: '/suno/replace-section',
      body: { callBackUrl: CB, taskId: 'song-task-1', audioId: 'clip-a', infillStartS: 10, infillEndS: 25.5, prompt: '[Bridge] new words', tags: 'pop', title: 'Summer Roads', negativeTags: 'rock' },
    });
  });

  it('refuses a section that is missing, inverted, negative or past the source, naming the field', () => {
    const replace = (transform: object) => () => anyint.buildSubmit({ kind: 'replace-section', transform: { sources: [SOURCE], lyrics: 'la', style: 'pop', ...transform } }, CB);
    expect(replace({})).toThrow(/section: required/);
    expect(replace({ section: { start: 20, end: 10 } })).toThrow(/section\.end: must be after section\.start/);
    expect(replace({ section: { start: 5, end: 5 } })).toThrow(/section\.end/);
    expect(replace({ section: { start: -1, end: 10 } })).toThrow(/section\.start/);
    expect(replace({ section: { start: 100, end: 130 } })).toThrow(/section\.end: 130 s is beyond the source's 120 s/);
    expect(replace({ section: { start: 1, end: 5 }, style: undefined })).toThrow(/style: required/);
    expect(() => anyint.buildSubmit({ kind: 'replace-section', transform: { section: { start: 1, end: 5 }, lyrics: 'la', style: 'pop' } }, CB)).toThrow(/sources: required/);
  });

  it('expands a style with style-generate, without a callback', () => {
    expect(anyint.buildSubmit({ kind: 'style', style: { prompt: 'sad piano' } }, CB)).toEqual({ method: 'POST', path: '/suno/style-generate', body: { content: 'sad piano' } });
    expect(() => anyint.buildSubmit({ kind: 'style', style: { prompt: ' ' } }, CB)).toThrow(/style\.prompt: required/);
  });

  it('reads every transform on the song query route; style has no task to query', () => {
    for (const kind of ['extend', 'upload-cover', 'upload-extend', 'add-vocals', 'add-instrumental', 'replace-section'] as const) {
      expect(anyint.buildQuery(kind, 'x 1').path).toBe('/suno/query/task?taskId=x%201');
    }
    expect(() => anyint.buildQuery('style', 's')).toThrow(/style.*submit itself/);
  });
});

describe('anyint transform answers', () => {
  it('reads the task id of every transform submit', () => {
    for (const kind of ['extend', 'upload-cover', 'upload-extend', 'add-vocals', 'add-instrumental', 'replace-section'] as const) {
      expect(anyint.parseSubmit(kind, { code: 200, msg: 'success', data: { taskId: `t-${kind}` } })).toEqual({ taskId: `t-${kind}` });
      expect(anyint.parseSubmit(kind, { code: '200', data: { task_id: 77 } })).toEqual({ taskId: '77' });
    }
    expect((thrown(() => anyint.parseSubmit('extend', { code: 413, msg: 'prompt too long', data: null })) as ProviderError).errorClass).toBe('rejected');
  });

  it('reads a finished extension as two clips', () => {
    const snapshot = anyint.parseQuery('extend', 'e1', {
      code: 200,
      msg: 'success',
      data: {
        taskId: 'e1',
        parentMusicId: 'clip-a',
        status: 'SUCCESS',
        type: 'EXTEND',
        response: {
          taskId: 'e1',
          sunoData: [
            { id: 'e-a', audioUrl: 'https://m/ea.mp3', streamAudioUrl: 'https://s/ea', imageUrl: 'https://m/ea.png', prompt: '[Chorus]', title: 'II', tags: 'pop', duration: 180.2 },
            { id: 'e-b', audioUrl: 'https://m/eb.mp3', streamAudioUrl: 'https://s/eb', imageUrl: 'https://m/eb.png', prompt: '[Chorus]', title: 'II', tags: 'pop', duration: 175 },
          ],
        },
        errorCode: null,
        errorMessage: null,
      },
    });
    expect(snapshot).toMatchObject({ taskId: 'e1', state: 'succeeded', providerStatus: 'SUCCESS' });
    expect(snapshot.clips).toEqual([
      { id: 'e-a', title: 'II', audioUrl: 'https://m/ea.mp3', streamAudioUrl: 'https://s/ea', imageUrl: 'https://m/ea.png', durationSeconds: 180.2, tags: 'pop', lyrics: '[Chorus]' },
      { id: 'e-b', title: 'II', audioUrl: 'https://m/eb.mp3', streamAudioUrl: 'https://s/eb', imageUrl: 'https://m/eb.png', durationSeconds: 175, tags: 'pop', lyrics: '[Chorus]' },
    ]);
  });

  it('reads drifting transform answers: early nulls, numbers as strings, extra fields, lower-case status', () => {
    const early = anyint.parseQuery('replace-section', 'r1', { code: '200', data: { taskId: 'r1', status: 'pending', response: null, errorCode: null, errorMessage: null, extra: { a: 1 } } });
    expect(early).toMatchObject({ taskId: 'r1', state: 'queued', clips: [] });
    const streaming = anyint.parseQuery('add-vocals', 'v1', {
      code: 200,
      data: { status: 'TEXT_SUCCESS', response: { sunoData: [{ id: 9, audioUrl: null, streamAudioUrl: 'https://s/9', duration: '', title: null, newThing: true }] } },
    });
    expect(streaming).toMatchObject({ taskId: 'v1', state: 'partial' });
    expect(streaming.clips).toEqual([{ id: '9', streamAudioUrl: 'https://s/9' }]);
    const done = anyint.parseQuery('upload-cover', 'u1', { code: 200, data: { status: 'success', response: { sunoData: [{ id: 'c', audioUrl: 'https://m/c.mp3', duration: '61.5' }] } } });
    expect(done).toMatchObject({ state: 'succeeded', clips: [{ id: 'c', audioUrl: 'https://m/c.mp3', durationSeconds: 61.5 }] });
    const failed = anyint.parseQuery('upload-extend', 'x', { code: 200, data: { status: 'GENERATE_AUDIO_FAILED', errorCode: '500', errorMessage: 'upload could not be read' } });
    expect(failed).toMatchObject({ state: 'failed', failure: { reason: 'upload could not be read', retryable: true } });
    expect(() => anyint.parseQuery('add-instrumental', 'x', { code: 200, data: { response: {} } })).toThrow(/status/);
  });

  it('reads the expanded style from style-generate at once', () => {
    const outcome = anyint.parseSubmit('style', {
      code: 200,
      msg: 'success',
      data: { taskId: 's-1', param: 'sad piano', result: 'melancholic solo piano, soft dynamics, slow tempo', creditsConsumed: 1, creditsRemaining: '99', successFlag: '1', errorCode: null, errorMessage: null },
    });
    expect(outcome).toEqual({
      taskId: 's-1',
      completed: { taskId: 's-1', state: 'succeeded', providerStatus: 'SUCCESS', clips: [], lyrics: [], outputs: { style: 'melancholic solo piano, soft dynamics, slow tempo' } },
    });
  });

  it('reads a drifting style answer, and names a missing result', () => {
    expect(anyint.parseSubmit('style', { code: '200', data: { task_id: 5, result: ' lofi, dusty drums \n' } })).toMatchObject({ taskId: '5', completed: { outputs: { style: 'lofi, dusty drums' } } });
    expect(anyint.parseSubmit('style', { code: 200, data: { result: 'jazz' } }).taskId).toBe('style-generate');
    expect(() => anyint.parseSubmit('style', { code: 200, data: { taskId: 's', result: null, errorMessage: 'content too vague' } })).toThrow(/result: required \(the provider says: content too vague\)/);
    expect(() => anyint.parseSubmit('style', { code: 200, data: null })).toThrow(/result: required/);
    expect((thrown(() => anyint.parseSubmit('style', { code: 400, msg: 'content is empty' })) as ProviderError).errorClass).toBe('rejected');
  });

  it('takes transform callbacks like song callbacks', () => {
    expect(anyint.parseCallback({ code: 200, msg: 'All generated successfully.', data: { callbackType: 'complete', task_id: 'e1', data: [] } })).toEqual({ taskId: 'e1', stage: 'complete' });
    expect(anyint.parseCallback({ callbackType: 'first', task_id: 'e1', data: [] })).toEqual({ taskId: 'e1', stage: 'first' });
  });
});

describe('anyint and the inspiration playlist, audio editing and custom model of the other dialects', () => {
  it('refuses inspiration, crop and custom-model as steps it does not offer, naming the provider and the step', () => {
    const ref = { taskId: 't', clipId: 'c', audioUrl: 'https://cdn1.suno.ai/c.mp3', durationSeconds: 30 };
    expect(() => anyint.buildSubmit({ kind: 'inspiration', transform: { sources: [ref] } }, undefined)).toThrow(/^provider anyint does not offer the inspiration step \(it offers: .*\); nothing was submitted$/);
    expect(() => anyint.buildSubmit({ kind: 'crop', transform: { sources: [ref], section: { start: 1, end: 2 } } }, undefined)).toThrow(/provider anyint does not offer the crop step/);
    expect(() => anyint.buildSubmit({ kind: 'custom-model', customModel: { sources: Array(6).fill(ref), name: 'm' } }, undefined)).toThrow(/provider anyint does not offer the custom-model step/);
    for (const kind of ['inspiration', 'crop', 'custom-model'] as const) expect(anyint.capabilities).not.toContain(kind);
  });
});
