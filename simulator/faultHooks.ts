// Puts the fault plan in front of a dialect's routes. Error faults answer before the route runs,
// in the dialect's own envelope, so nothing is created or paid for. Exchange faults let the route
// run (a submit is accepted and recorded in the ledger) and then keep the answer from the client,
// which is exactly the case where a client cannot know whether it paid.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimulatorContext } from './context';
import type { Reject } from './dialects';
import { ERROR_FAULTS, type ErrorFault, type FaultStatuses, type RequestFault } from './faults';

const MESSAGES: Record<ErrorFault, string> = {
  throttled: 'too many requests, slow down (injected fault)',
  unavailable: 'service temporarily unavailable (injected fault)',
  rejected: 'request refused (injected fault)',
  auth: 'invalid api key (injected fault)',
  billing: 'insufficient credits (injected fault)',
};

function isErrorFault(fault: RequestFault): fault is ErrorFault {
  return (ERROR_FAULTS as readonly string[]).includes(fault);
}

/** Register after the dialect's auth hook: a request without the key gets its 401, not a fault. */
export function injectFaults(app: FastifyInstance, context: SimulatorContext, statuses: FaultStatuses, reject: Reject): void {
  const withheld = new WeakMap<FastifyRequest, 'hang' | 'cut'>();

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const fault = context.faults.forRequest(request.method, path);
    if (!fault) return;
    context.log(`fault ${fault} injected on ${request.method} ${path}`);
    if (isErrorFault(fault)) {
      // A short Retry-After keeps a throttled client's wait (and the tests) brief.
      if (fault === 'throttled') reply.header('retry-after', '1');
      return reject(reply, statuses[fault], MESSAGES[fault]);
    }
    withheld.set(request, fault);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const fault = withheld.get(request);
    if (!fault) return payload;
    if (fault === 'hang') await context.faults.hold();
    // Dropping the socket mid-exchange is what a client sees when a connection is cut after the
    // request went out: no status, no body.
    reply.raw.destroy();
    return payload;
  });
}
