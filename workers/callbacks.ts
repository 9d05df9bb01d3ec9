// The callback endpoint: providers' webhooks land here. It verifies the signed token in the URL,
// reads the provider task id from the body with that provider's dialect, signals the workflow, and
// answers within milliseconds. It never trusts the body: the workflow treats the signal as a hint
// and asks the provider's query API for the truth.
import Fastify, { type FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { verifyCallbackToken } from '../lib/callbackToken';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { adapterFor } from '../providers/registry';
import { providerEventSignal } from '../workflows/definitions';

export const CALLBACK_BODY_LIMIT_BYTES = 256 * 1024;

export interface CallbackEndpointOptions {
  client: Client;
  secret: string;
  host?: string;
  port: number;
  log?: (line: string) => void;
}

export interface CallbackEndpoint {
  url: string;
  stats: CallbackStats;
  close(): Promise<void>;
}

export interface CallbackStats {
  signalled: number;
  rejected: number;
}

export function buildCallbackApp(options: Omit<CallbackEndpointOptions, 'port' | 'host'>, stats: CallbackStats): FastifyInstance {
  const log = options.log ?? (() => {});
  // Tokens are a few hundred characters: above fastify's default 100-character path parameter limit.
  const app = Fastify({ bodyLimit: CALLBACK_BODY_LIMIT_BYTES, routerOptions: { maxParamLength: 2048 }, logger: false });

  app.get('/healthz', async () => ({ ok: true }));

  app.post<{ Params: { token: string } }>('/callbacks/:token', async (req, reply) => {
    const check = verifyCallbackToken(options.secret, req.params.token);
    if (!check.ok) {
      stats.rejected++;
      log(`callback refused: ${check.reason} token`);
      return reply.code(401).send({ error: `invalid callback token (${check.reason})` });
    }
    const { workflowId, stepId, provider } = check.claims;
    if (!(PROVIDER_NAMES as readonly string[]).includes(provider)) {
      stats.rejected++;
      return reply.code(401).send({ error: 'invalid callback token (unknown provider)' });
    }
    let hint;
    try {
      hint = adapterFor(provider as ProviderName).parseCallback(req.body);
    } catch (err) {
      stats.rejected++;
      log(`callback for ${workflowId}/${stepId} refused: ${(err as Error).message}`);
      return reply.code(400).send({ error: (err as Error).message });
    }
    try {
      await options.client.workflow.getHandle(workflowId).signal(providerEventSignal, { stepId, ...hint });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        return reply.code(410).send({ error: 'run is closed' });
      }
      // Temporal unreachable: the provider will redeliver, and polling covers the gap meanwhile.
      log(`callback for ${workflowId}/${stepId} not delivered: ${(err as Error).message}`);
      return reply.code(503).send({ error: 'temporarily unavailable' });
    }
    stats.signalled++;
    log(`callback ${hint.stage} for ${workflowId}/${stepId} task ${hint.taskId}`);
    return reply.code(200).send({ ok: true });
  });

  return app;
}

export async function startCallbackEndpoint(options: CallbackEndpointOptions): Promise<CallbackEndpoint> {
  const stats: CallbackStats = { signalled: 0, rejected: 0 };
  const app = buildCallbackApp(options, stats);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, stats, close: () => app.close() };
}
