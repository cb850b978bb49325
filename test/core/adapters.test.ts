import { describe, it, expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdapters } from '../../core/adapters';
import { readConfig } from '../../core/config';
import { NoIndexError } from '../../core/errors';
import { TitanEmbedder } from '../../core/aws/titan-embedder';
import { OpenSearchVectorIndex } from '../../core/aws/opensearch-vector-index';
import { PersonalizeRanker } from '../../core/aws/personalize-ranker';
import { S3ObjectStore } from '../../core/aws/s3-object-store';

describe('createAdapters', () => {
  it('builds the AWS adapters from the config and the runtime parameters, without calling AWS', async () => {
    const config = readConfig({
      APP_MODE: 'aws', AWS_REGION: 'eu-west-1', DATA_BUCKET: 'images-bucket', OPENSEARCH_ENDPOINT: 'https://search.example.com', EMBEDDING_LENGTH: '384',
    });
    const parameters = {
      get: async () => ({ generation: 'gen-7', alias: 'images', campaignArn: 'arn:aws:personalize:eu-west-1:123456789012:campaign/c', trackingId: 't' }),
      invalidate: () => undefined,
    };
    const adapters = await createAdapters(config, { parameters });
    expect(adapters.embedder).toBeInstanceOf(TitanEmbedder);
    expect(adapters.embedder.dimension).toBe(384);
    expect(adapters.index).toBeInstanceOf(OpenSearchVectorIndex);
    expect(adapters.ranker).toBeInstanceOf(PersonalizeRanker);
    expect(adapters.store).toBeInstanceOf(S3ObjectStore);
    expect(adapters.generation).toBe('gen-7');
  });

  it('refuses local mode before a generation has been built', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'adapters-'));
    try {
      await expect(createAdapters(readConfig({ STATE_DIR: stateDir }))).rejects.toBeInstanceOf(NoIndexError);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
