// client/connect.ts against an address where nothing listens (a port just closed): the error names
// the address and says what to do, and a caller that asked to wait is told once that it waits.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectClient, TemporalUnreachableError } from '../client/connect';
import { closedLoopbackAddress } from './helpers/closedAddress';

let closedAddress: string;

beforeAll(async () => {
  closedAddress = await closedLoopbackAddress();
});

describe('connectClient', () => {
  it('names the address when no server answers', async () => {
    const error = await connectClient({ address: closedAddress }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalUnreachableError);
    expect((error as Error).message).toBe(`no Temporal server answers at ${closedAddress}; start one with npm start`);
  });

  it('waits as long as asked, saying so once, then gives up', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const error = await connectClient({ address: closedAddress }, { waitSeconds: 3, onWaiting: (line) => lines.push(line) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalUnreachableError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(lines).toEqual([`waiting up to 3 s for the Temporal server at ${closedAddress}`]);
  });
});
