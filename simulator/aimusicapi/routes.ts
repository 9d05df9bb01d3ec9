// The aimusicapi.org dialect: one submit route for both modes and one query route; no callbacks,
// so clients poll. Registered as an encapsulated fastify plugin, so its auth hook and error
// envelope cover only its own routes.

import type { FaultStatuses } from '../faults';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { submitRequest, workQuery, type SubmitRequest } from './requests';
import { errorAnswer, queryAnswer, submitAnswer } from './results';
import {
  canAffordSubmit,
  check,
  errorHttpStatus,
  guardRoutes,
  ownTask,
  recordPaidSubmit,
  type DialectContext,
} from '../dialects';
import { prepareSongMedia, songProgressAt } from '../songProgress';
import { asSongTask, songContent, type SongInput } from '../taskContent';
import { songTimeline } from '../taskStore';

const DIALECT = 'aimusicapi';
const SUBMIT_ROUTE = 'POST /api/submit';

function songInput(body: SubmitRequest): SongInput {
  const instrumental = body.make_instrumental ?? false;
  if (body.gpt_description_prompt?.trim()) {
    return { description: body.gpt_description_prompt, instrumental, model: body.model };
  }
  return { lyrics: body.prompt, title: body.title, style: body.tags, instrumental, model: body.model };
}

// The statuses this service uses for each class of error, for injected faults.
const FAULT_STATUSES: FaultStatuses = { throttled: 429, unavailable: 503, rejected: 400, auth: 401, billing: 402 };

export function aimusicapiDialect(context: DialectContext) {
  const { store, media, log } = context;

  const reject = (reply: FastifyReply, status: number, message: string): FastifyReply =>
    reply.code(errorHttpStatus(context, status)).send(errorAnswer(status, message));

  return async function aimusicapiRoutes(app: FastifyInstance): Promise<void> {
    guardRoutes(app, context, DIALECT, reject, FAULT_STATUSES);

    app.post('/api/submit', async (request, reply) => {
      if (request.body === undefined || request.body === null) return reject(reply, 400, 'body: No body provided');
      const checked = check(submitRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      if (!canAffordSubmit(context)) return reject(reply, 402, 'Not enough credits');
      const body = checked.value;
      const task = store.create({
        dialect: DIALECT,
        route: SUBMIT_ROUTE,
        request: request.body,
        timeline: songTimeline(context.options.stageDelaysMs),
        content: (taskId) => songContent(taskId, songInput(body)),
      });
      const song = asSongTask(task);
      if (song) prepareSongMedia(song.content, media, log);
      recordPaidSubmit(context, task);
      return submitAnswer(task.id);
    });

    app.get('/api/query', async (request, reply) => {
      const query = check(workQuery, request.query);
      if (!query.ok) return reject(reply, 400, query.message);
      const found = ownTask(context, DIALECT, query.value.workId);
      const song = found && asSongTask(found);
      if (!song) return reject(reply, 400, `workId: no work ${query.value.workId}`);
      // The stage is fixed on arrival; waiting for a render below must not move it.
      const stage = store.stageOf(song);
      const progress = await songProgressAt(song.content, stage, media, context.mediaUrl);
      return queryAnswer(song, progress);
    });
  };
}
