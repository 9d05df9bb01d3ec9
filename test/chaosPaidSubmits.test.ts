// The chaos kit's reading of the provider's ledger: which paid submits were paid twice. Seed turn2
// paid one submit more under faults than calmly while reporting nothing paid twice: the extra one was
// a timestamped-lyrics request (a route that answers in the submit and takes no callback URL) whose
// answer was lost and which was asked again. Such repeats must show up, by route and body.
import { describe, expect, it } from 'vitest';
import { signCallbackToken } from '../callbacks/callbackToken';
import { findPaidSubmit, findUnsignedSubmit, judgeUnsignedRepeats, paidMoreThanOnce, unsignedNameOf, unsignedRepeats, type PaidSubmit } from '../chaos/paidSubmits';

const SECRET = 'chaos-test-secret-chaos-test-secret';
const at = new Date('2026-11-30T12:00:00Z');

function signed(workflowId: string, stepId: string, taskId: string, receivedAt = at): PaidSubmit {
  const token = signCallbackToken(SECRET, { workflowId, stepId, provider: 'anyint', expiresAt: new Date(at.getTime() + 3_600_000) });
  return { route: 'POST /suno/generate', taskId, receivedAt: receivedAt.toISOString(), body: { prompt: 'p', callBackUrl: `http://127.0.0.1:1/callbacks/${token}` } };
}

function unsigned(route: string, taskId: string, body: Record<string, unknown>, receivedAt = at): PaidSubmit {
  return { route, taskId, receivedAt: receivedAt.toISOString(), body };
}

const minutes = (n: number) => new Date(at.getTime() + n * 60_000);

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

  it("settles a step with the current run's submit, not an earlier attempt's, whatever the ledger order", () => {
    // Attempt 1 of track 1 paid for its lyrics at minute 0 and failed later; attempt 2 (a fresh run
    // with the same workflow id, started at minute 5) lost the answer of its own lyrics submit.
    const earlier = signed('album-a-t01', 'lyrics', 'first-attempt', minutes(0));
    const current = signed('album-a-t01', 'lyrics', 'second-attempt', minutes(6));
    const other = signed('album-a-t02', 'lyrics', 'other-track', minutes(7));
    for (const ledger of [[earlier, current, other], [other, current, earlier]]) {
      expect(findPaidSubmit(ledger, SECRET, 'album-a-t01', 'lyrics', minutes(5))?.taskId).toBe('second-attempt');
      // Without a run start (a single run), the newest submit of the step.
      expect(findPaidSubmit(ledger, SECRET, 'album-a-t01', 'lyrics')?.taskId).toBe('second-attempt');
    }
    // A run that started after every submit of the step has none of its own: resubmitting pays nothing twice.
    expect(findPaidSubmit([earlier, current], SECRET, 'album-a-t01', 'lyrics', minutes(8))).toBeUndefined();
  });

  it('finds an answered-in-the-submit request by the song it worked on and its route', () => {
    const song = signed('album-a-t01', 'song', 'song-1', minutes(1));
    const timing = unsigned('POST /suno/timestamped-lyrics', 'tl-1', { taskId: 'song-1', audioId: 'clip-1' }, minutes(2));
    const persona = unsigned('POST /suno/generate-persona', 'persona-1', { taskId: 'song-1', audioId: 'clip-1', name: 'a' }, minutes(2));
    const otherSongsPersona = unsigned('POST /suno/generate-persona', 'persona-9', { taskId: 'song-9', audioId: 'clip-9', name: 'b' }, minutes(3));
    const ledger = [song, timing, otherSongsPersona, persona];
    expect(findUnsignedSubmit(ledger, SECRET, { route: /persona/, sourceTaskIds: new Set(['song-1']) })?.taskId).toBe('persona-1');
    expect(findUnsignedSubmit(ledger, SECRET, { route: /timestamped-lyrics/, sourceTaskIds: new Set(['song-1']) })?.taskId).toBe('tl-1');
    expect(findUnsignedSubmit(ledger, SECRET, { route: /persona/, sourceTaskIds: new Set(['song-2']) })).toBeUndefined();
    expect(findUnsignedSubmit(ledger, SECRET, { route: /persona/, sourceTaskIds: new Set(['song-1']), since: minutes(3) })).toBeUndefined();
  });

  it('tells answers bought again knowingly from any other repeat, one excuse per resubmit', () => {
    const first = unsigned('POST /suno/timestamped-lyrics', 'tl-1', { taskId: 'song-1', audioId: 'clip-1' });
    const again = unsigned('POST /suno/timestamped-lyrics', 'tl-2', { taskId: 'song-1', audioId: 'clip-1' });
    const thrice = unsigned('POST /suno/timestamped-lyrics', 'tl-3', { taskId: 'song-1', audioId: 'clip-1' });
    const name = unsignedNameOf(first);
    expect(judgeUnsignedRepeats([first, again], SECRET, [name])).toEqual({ knowinglyRebought: [name], unexplained: [] });
    // Nobody chose to buy it again: a fault of ours.
    expect(judgeUnsignedRepeats([first, again], SECRET, [])).toEqual({ knowinglyRebought: [], unexplained: [name] });
    // One knowing resubmit does not excuse a third payment.
    expect(judgeUnsignedRepeats([first, again, thrice], SECRET, [name])).toEqual({ knowinglyRebought: [name], unexplained: [name] });
    // An excuse for a request never repeated excuses nothing else.
    const other = unsigned('POST /suno/timestamped-lyrics', 'tl-9', { taskId: 'song-9', audioId: 'clip-9' });
    expect(judgeUnsignedRepeats([first, again, other], SECRET, [unsignedNameOf(other)])).toEqual({ knowinglyRebought: [], unexplained: [name] });
  });
});
