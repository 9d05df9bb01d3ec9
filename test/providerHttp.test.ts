// How one provider HTTP exchange fails: the class decides whether a retry may happen, and a submit
// whose answer was lost must come out as `ambiguous`, never as a safe-to-retry error.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acedata } from '../providers/acedata/adapter';
import { anyint } from '../providers/anyint/adapter';
import { ProviderError } from '../providers/errors';
import { callProvider } from '../providers/http';

const app = Fastify();
let base = '';

beforeAll(async () => {
  app.post('/used-up', async (_req, reply) => reply.code(403).send({ success: false, error: { code: 'used_up', message: 'balance used up' } }));
  app.post('/slow-down', async (_req, reply) => reply.code(429).header('retry-after', '7').send({ code: 429, msg: 'too many' }));
  app.post('/maintenance', async (_req, reply) => reply.code(455).send('down for maintenance'));
  app.post('/hang', () => new Promise(() => {}));
  app.post('/not-json', async (_req, reply) => reply.code(200).type('text/html').send('<html>oops</html>'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const submit = (path: string, adapter = anyint, timeoutMs = 2_000) =>
  callProvider(adapter, { baseUrl: base, apiKey: 'k' }, { method: 'POST', path, body: {} }, { timeoutMs, idempotent: false });

describe('provider HTTP failures', () => {
  it("reads the dialect's error word from the body rather than the bare status", async () => {
    const err = await failure(submit('/used-up', acedata));
    expect(err.errorClass).toBe('billing');
    expect(err.providerMessage).toBe('balance used up');
  });

  it('honours Retry-After on a throttled answer', async () => {
    const err = await failure(submit('/slow-down', acedata));
    expect(err.errorClass).toBe('throttled');
    expect(err.retryAfterMs).toBe(7_000);
  });

  it('keeps a plain-text error message and classifies maintenance as unavailable', async () => {
    const err = await failure(submit('/maintenance'));
    expect(err.errorClass).toBe('unavailable');
    expect(err.providerMessage).toContain('maintenance');
  });

  it('calls a submit that got no answer ambiguous, and a query in the same state merely unavailable', async () => {
    expect((await failure(submit('/hang', anyint, 300))).errorClass).toBe('ambiguous');
    const query = callProvider(anyint, { baseUrl: base, apiKey: 'k' }, { method: 'POST', path: '/hang', body: {} }, { timeoutMs: 300, idempotent: true });
    expect((await failure(query)).errorClass).toBe('unavailable');
  });

  it('calls an unreadable success answer to a submit ambiguous', async () => {
    expect((await failure(submit('/not-json'))).errorClass).toBe('ambiguous');
  });

  it('knows a refused connection never reached the provider', async () => {
    const err = await failure(callProvider(anyint, { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' }, { method: 'POST', path: '/x', body: {} }, { timeoutMs: 1_000, idempotent: false }));
    expect(err.errorClass).toBe('unavailable');
  });

  it('never puts the API key in an error', async () => {
    const err = await failure(callProvider(anyint, { baseUrl: base, apiKey: 'sk-secret-value' }, { method: 'POST', path: '/maintenance', body: {} }, { timeoutMs: 1_000, idempotent: false }));
    expect(err.message).not.toContain('sk-secret-value');
  });
});
