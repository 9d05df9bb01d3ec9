// Waiting for runs' results up to a deadline, through outages. The client retries a call for about
// 20 s without a server and cannot cancel a retry between attempts: the chaos kit, which closed its
// connection as soon as its deadline passed, crashed on "Channel has been shut down" thrown from the
// client's retry timer instead of printing its table. resultsByDeadline answers at the deadline and
// returns once no poll is left, so that closing the connection then leaves nothing behind.
import { Client, Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { resultsByDeadline } from '../client/runResult';
import { closedLoopbackAddress } from './helpers/closedAddress';

const stray: Error[] = [];
const onStray = (error: Error) => stray.push(error);

afterEach(() => {
  process.off('uncaughtException', onStray);
});

describe('resultsByDeadline', () => {
  it('answers "no result" at the deadline while the server is down, and the connection then closes cleanly', async () => {
    process.on('uncaughtException', onStray);
    const connection = Connection.lazy({ address: await closedLoopbackAddress() });
    const client = new Client({ connection });
    const handles = ['one', 'two'].map((id) => client.workflow.getHandle(`a-run-on-a-server-that-is-down-${id}`));
    const results = await resultsByDeadline(handles, Date.now() + 1_000);
    expect(results).toEqual([{ error: 'no result before the deadline' }, { error: 'no result before the deadline' }]);
    await connection.close();
    // Longer than the client's retry pauses at this point: a retry left behind would have fired.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stray.map((e) => e.message)).toEqual([]);
  }, 60_000);
});
