// The store a worker uses, chosen from configuration (ARTIFACT_STORE). Activities receive it through
// their dependencies; workflows never see it.
import path from 'node:path';
import type { ArtifactStoreConfig } from '../../runtime/config';
import type { ArtifactStore } from './artifactStore';
import { LocalArtifactStore } from './localStore';
import { S3ArtifactStore } from './s3Store';

export function artifactStoreFromConfig(store: ArtifactStoreConfig, outDir: string): ArtifactStore {
  if (store.kind === 'local') return new LocalArtifactStore();
  return new S3ArtifactStore({ bucket: store.bucket, prefix: store.prefix, endpoint: store.endpoint, region: store.region, credentials: store.credentials, outRoot: path.resolve(outDir) });
}
