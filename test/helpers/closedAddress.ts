// A loopback host:port where nothing listens: a port the system just handed out and that was closed
// again, so a client pointed at it meets "connection refused" rather than some other server.
import { createServer } from 'node:net';

export async function closedLoopbackAddress(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
  return address;
}
