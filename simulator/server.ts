// The HTTP server: dialect routes plus the simulator's own routes (media files and the ledger),
// which need no API key - media links must work in a browser, as providers' CDN links do. Every
// dialect lives on the one port; their routes do not overlap, and each answers only its own tasks.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { acedataDialect } from './acedata/routes';
import { aimusicapiDialect } from './aimusicapi/routes';
import { anyIntDialect } from './anyint/routes';
import type { SimulatorContext } from './context';
import { cqtDialect } from './cqt/routes';
import { resolveDialectOptions, type ResolvedDialectOptions } from './dialects';
import { callbackFaultsSchema, faultRuleSchema, randomFaultsSchema } from './faults';
import { newapiDialect } from './newapi/routes';

/** `null` turns random faults off; an absent field leaves them as they are. */
const faultControlSchema = z.strictObject({
  /** Drop the rules not yet spent (before adding any given with it). */
  clear: z.boolean().optional(),
  rules: z.array(faultRuleSchema).optional(),
  hangMs: z.number().int().positive().optional(),
  random: z.union([randomFaultsSchema, z.array(randomFaultsSchema)]).nullable().optional(),
  callbacks: callbackFaultsSchema.nullable().optional(),
});

export async function buildServer(
  context: SimulatorContext,
  dialectOptions: ResolvedDialectOptions = resolveDialectOptions(),
): Promise<FastifyInstance> {
  // Force-closing on close() matters: a keep-alive connection whose last response is still
  // finishing is not "idle", and fastify would otherwise wait out its 72 s keep-alive timeout.
  const app = Fastify({ logger: false, forceCloseConnections: true });

  app.get('/_sim/ledger', async () => ({ count: context.ledger.length, entries: context.ledger }));

  // Faults are switched on while the simulator runs, so one process can play a calm provider and
  // then a failing one. Like the ledger, this is the simulator's own route: loopback, no API key.
  app.get('/_sim/faults', async () => ({
    counts: context.faults.counts(),
    pending: context.faults.pending(),
    injected: context.faults.injected,
  }));
  app.post('/_sim/faults', async (request, reply) => {
    const parsed = faultControlSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply.code(400).send({ code: 400, msg: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
    }
    const { clear, rules, random, callbacks, hangMs } = parsed.data;
    if (clear) context.faults.clearRules();
    if (rules) context.faults.add(rules);
    if (hangMs !== undefined) context.faults.hangMs = hangMs;
    if (random !== undefined) context.faults.setRandomRequests(random);
    if (callbacks !== undefined) context.faults.setRandomCallbacks(callbacks);
    return { pending: context.faults.pending() };
  });

  app.get<{ Params: { name: string } }>('/media/:name', async (request, reply) => {
    const { name } = request.params;
    const file = context.media.pathOf(name);
    const size = file ? await fileSize(file) : undefined;
    if (!file || size === undefined) return reply.code(404).send({ code: 404, msg: `no media named ${name}` });
    return reply
      .header('content-type', context.media.contentTypeOf(name))
      .header('content-length', size)
      // Names never change meaning (they embed the clip id and renderer version).
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(createReadStream(file));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 404, msg: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  await app.register(anyIntDialect(context));
  const family = { ...context, dialectOptions };
  await app.register(aimusicapiDialect(family));
  await app.register(newapiDialect(family));
  await app.register(acedataDialect(family));
  await app.register(cqtDialect(family));
  return app;
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
