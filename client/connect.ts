// A Temporal client from configuration. Every command that talks to a server (song, album, batch,
// choose-clip, resolve, worker, chaos) connects through here, so address, namespace, TLS and API key
// are read one way, and a server that does not answer is told one way.
import { Client, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../runtime/config';
import { temporalConnectionOptions } from '../runtime/temporalConnection';

/** Where a client connects. Only the address is required (a dev server needs nothing else). */
export interface TemporalTarget {
  address: string;
  /** Default: the SDK's "default" namespace. */
  namespace?: string;
  /** true, or the certificates to use (mTLS, a private CA); false or absent: no TLS. */
  tls?: boolean | TLSConfig;
  /** Temporal Cloud API key. */
  apiKey?: string;
  /** gRPC metadata sent with every call. */
  metadata?: Record<string, string>;
}

/** The configured server (environment or Temporal envconfig profile), or the embedded dev server's address when none is configured. */
export function temporalTarget(config: Config): TemporalTarget {
  const { address, devServerPort, namespace } = config.temporal;
  return { ...temporalConnectionOptions(config.temporal, address ?? `127.0.0.1:${devServerPort}`), namespace };
}

/** No server answered at the address (within the wait, if one was given). */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

export interface ConnectOptions {
  /**
   * Keep trying for this long (s) before giving up: a worker brought up before its server (after a
   * reboot, say) should wait for it rather than fail. Default: one attempt.
   */
  waitSeconds?: number;
  /** Called once, at the first failed attempt, when waiting. */
  onWaiting?: (line: string) => void;
}

const RETRY_DELAY_MS = 2_000;

/**
 * A connected client. Close it with `client.connection.close()`. A server that does not answer
 * becomes a TemporalUnreachableError naming the address (the SDK's own error is its cause).
 */
export async function connectClient(target: TemporalTarget, options: ConnectOptions = {}): Promise<Client> {
  const waiting = options.waitSeconds !== undefined;
  const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await Connection.connect({
        address: target.address,
        tls: target.tls,
        apiKey: target.apiKey,
        metadata: target.metadata,
        // While waiting, attempts are short so that a server coming up is noticed within seconds.
        ...(waiting ? { connectTimeout: '2s' } : {}),
      });
      return new Client({ connection, namespace: target.namespace });
    } catch (error) {
      if (Date.now() >= deadline) throw new TemporalUnreachableError(`no Temporal server answers at ${target.address}; start one with npm start`, { cause: error });
      if (attempt === 1) options.onWaiting?.(`waiting up to ${options.waitSeconds} s for the Temporal server at ${target.address}`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}
