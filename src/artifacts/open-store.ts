// The artifact store a configuration asks for (BATON_ARTIFACTS; docs/DEPLOY.md, "Artifacts").
import type { Config } from '../config/index.js';
import { LocalArtifactStore } from './local-store.js';
import { S3ArtifactStore } from './s3-store.js';
import type { ArtifactStore } from './store.js';

export function openArtifactStore(config: Pick<Config, 'artifacts' | 'artifactsDir' | 'inputsDir'>): ArtifactStore {
  if (config.artifacts.kind === 's3') return new S3ArtifactStore(config.artifacts);
  return new LocalArtifactStore({ artifacts: config.artifactsDir, inputs: config.inputsDir });
}
