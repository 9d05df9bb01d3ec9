// How every process connects to Temporal, from configuration: one set of options that both the
// client's Connection and the worker's NativeConnection take, so the address, TLS (with a client
// certificate for mTLS, a CA, a server name), the API key and gRPC metadata are applied the same way
// by client scripts, workers, the callback endpoint and setup-cluster.
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config';

export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | false;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export function temporalConnectionOptions(temporal: Config['temporal'], address: string): TemporalConnectionOptions {
  const { clientCert, clientKey, serverCaCert, serverName } = temporal.tlsFiles;
  const tls: TLSConfig | false = temporal.tls
    ? {
        ...(clientCert && clientKey ? { clientCertPair: { crt: clientCert, key: clientKey } } : {}),
        ...(serverCaCert ? { serverRootCACertificate: serverCaCert } : {}),
        ...(serverName ? { serverNameOverride: serverName } : {}),
      }
    : false;
  return {
    address,
    tls,
    apiKey: temporal.apiKey,
    ...(Object.keys(temporal.grpcMeta).length > 0 ? { metadata: temporal.grpcMeta } : {}),
  };
}
