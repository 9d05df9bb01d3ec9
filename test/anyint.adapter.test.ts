// The AnyInt adapter against the payload shapes its API family documents, including early stages,
// failures, numbers sent as strings, extra fields, and the callback's snake_case.
import { describe, expect, it } from 'vitest';
import { anyint, NO_CALLBACK_URL } from '../providers/anyint';
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

  it('refuses a body without a task id or stage, naming the field', () => {
    expect(() => anyint.parseCallback({ code: 200, data: { callbackType: 'complete' } })).toThrow(/task_id/);
    expect(() => anyint.parseCallback({ code: 200, data: { task_id: 'x' } })).toThrow(/callbackType/);
    expect(() => anyint.parseCallback('nonsense')).toThrow(WireFormatError);
  });
});
