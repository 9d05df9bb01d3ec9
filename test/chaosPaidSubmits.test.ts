// The chaos kit's reading of the provider's ledger: which paid submits were paid twice. Seed turn2
// paid one submit more under faults than calmly while reporting nothing paid twice: the extra one was
// a timestamped-lyrics request (a route that answers in the submit and takes no callback URL) whose
// answer was lost and which was asked again. Such repeats must show up, by route and body.
import { describe, expect, it } from 'vitest';
import { signCallbackToken } from '../callbacks/callbackToken';
import { paidMoreThanOnce, unsignedRepeats, type PaidSubmit } from '../chaos/paidSubmits';

const SECRET = 'chaos-test-secret-chaos-test-secret';
const at = new Date('2026-11-30T12:00:00Z');

function signed(workflowId: string, stepId: string, taskId: string): PaidSubmit {
  const token = signCallbackToken(SECRET, { workflowId, stepId, provider: 'anyint', expiresAt: new Date(at.getTime() + 3_600_000) });
  return { route: 'POST /suno/generate', taskId, receivedAt: at.toISOString(), body: { prompt: 'p', callBackUrl: `http://127.0.0.1:1/callbacks/${token}` } };
}

function unsigned(route: string, taskId: string, body: Record<string, unknown>): PaidSubmit {
  return { route, taskId, receivedAt: at.toISOString(), body };
}

describe('paid submits', () => {
  it('names a request without a callback URL that was paid twice with the same body', () => {
    const ledger = [
      signed('album-a-t01', 'song', 't1'),
      unsigned('POST /suno/timestamped-lyrics', 't2', { taskId: 't1', audioId: 'clip-1' }),
      // The same request again, its keys in another order: the same request.
      unsigned('POST /suno/timestamped-lyrics', 't3', { audioId: 'clip-1', taskId: 't1' }),
      unsigned('POST /suno/timestamped-lyrics', 't4', { taskId: 't9', audioId: 'clip-9' }),
    ];
    expect(paidMoreThanOnce(ledger, SECRET)).toEqual([]);
    const repeats = unsignedRepeats(ledger, SECRET);
    expect(repeats).toHaveLength(1);
    expect(repeats[0]).toMatch(/^unsigned POST \/suno\/timestamped-lyrics [0-9a-f]{12}$/);
  });

  it('does not count signed submits, or different requests on one route, as repeats', () => {
    const ledger = [
      signed('album-a-t01', 'song', 't1'),
      signed('album-a-t01', 'song', 't2'),
      unsigned('POST /suno/generate-persona', 't3', { taskId: 't1', audioId: 'clip-1', name: 'a' }),
      unsigned('POST /suno/generate-persona', 't4', { taskId: 't1', audioId: 'clip-2', name: 'a' }),
    ];
    expect(paidMoreThanOnce(ledger, SECRET)).toEqual(['album-a-t01/song']);
    expect(unsignedRepeats(ledger, SECRET)).toEqual([]);
  });
});
