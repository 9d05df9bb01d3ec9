// Many runs polling at once share one batch request where the dialect can read many tasks.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryBatcher } from '../steps/queryBatcher';
import { anyint } from '../providers/anyint/adapter';
import { newapi } from '../providers/newapi/adapter';

const app = Fastify();
let base = '';
const seen: string[] = [];

const task = (id: string) => ({ task_id: id, action: 'MUSIC', status: 'IN_PROGRESS', progress: '50%', data: [] });

beforeAll(async () => {
  app.post('/suno/fetch', async (req) => {
    seen.push(`batch ${(req.body as { ids: string[] }).ids.join(',')}`);
    return { code: 'success', message: '', data: (req.body as { ids: string[] }).ids.map(task) };
  });
  app.get('/suno/fetch/:id', async (req) => {
    seen.push(`single ${(req.params as { id: string }).id}`);
    return { code: 'success', message: '', data: task((req.params as { id: string }).id) };
  });
  app.get('/suno/query/task', async (req) => {
    seen.push(`anyint ${(req.query as { taskId: string }).taskId}`);
    return { code: 200, msg: 'success', data: { taskId: (req.query as { taskId: string }).taskId, status: 'PENDING' } };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
});

describe('QueryBatcher', () => {
  it('sends queries made together as one batch request, and answers each its own task', async () => {
    seen.length = 0;
    const batcher = new QueryBatcher({ windowMs: 50, maxBatch: 20, call: { timeoutMs: 2_000 } });
    const endpoint = { baseUrl: base, apiKey: 'k' };
    const ids = ['task_a', 'task_b', 'task_c', 'task_d', 'task_e'];
    const snapshots = await Promise.all(ids.map((id) => batcher.query(newapi, endpoint, 'song', id)));
    expect(snapshots.map((s) => s.taskId)).toEqual(ids);
    expect(seen).toEqual(['batch task_a,task_b,task_c,task_d,task_e']);
    expect(batcher.sent).toEqual({ single: 0, batch: 1 });
  });

  it('sends a lone query, and any query of a dialect without batch reads, on its own', async () => {
    seen.length = 0;
    const batcher = new QueryBatcher({ windowMs: 20, maxBatch: 20, call: { timeoutMs: 2_000 } });
    const endpoint = { baseUrl: base, apiKey: 'k' };
    await batcher.query(newapi, endpoint, 'song', 'task_x');
    await Promise.all(['1', '2'].map((id) => batcher.query(anyint, endpoint, 'song', id)));
    expect(seen).toEqual(['single task_x', 'anyint 1', 'anyint 2']);
  });

  it('splits a crowd into batches of the largest allowed size', async () => {
    seen.length = 0;
    const batcher = new QueryBatcher({ windowMs: 1_000, maxBatch: 3, call: { timeoutMs: 2_000 } });
    const endpoint = { baseUrl: base, apiKey: 'k' };
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => `task_${s}`);
    await Promise.all(ids.map((id) => batcher.query(newapi, endpoint, 'song', id)));
    expect(seen).toEqual(['batch task_a,task_b,task_c', 'batch task_d,task_e,task_f']);
  });
});
