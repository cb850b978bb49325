import { describe, it, expect } from 'vitest';
import { readConfig } from '../../core/config';
import { DEFAULT_CANDIDATES, DEFAULT_WEIGHT } from '../../core/personalized-search';

const awsEnv = {
  APP_MODE: 'aws',
  AWS_REGION: 'eu-west-1',
  DATA_BUCKET: 'images-bucket',
  OPENSEARCH_ENDPOINT: 'https://search-images.eu-west-1.es.amazonaws.com',
};

describe('readConfig', () => {
  it('works without any environment variable, in local mode with the documented defaults', () => {
    expect(readConfig({})).toEqual({
      mode: 'local',
      embeddingLength: 1024,
      search: { weight: DEFAULT_WEIGHT, candidates: DEFAULT_CANDIDATES, clusters: 48, pageSize: 24 },
      local: { dataDir: 'data/sample', stateDir: '.state' },
    });
  });

  it('reads the AWS settings with their defaults', () => {
    expect(readConfig(awsEnv).aws).toEqual({
      region: 'eu-west-1',
      bucket: 'images-bucket',
      bucketPrefix: '',
      openSearchEndpoint: 'https://search-images.eu-west-1.es.amazonaws.com',
      openSearchService: 'es',
      indexPrefix: 'images-',
      spaceType: 'innerproduct',
      embedConcurrency: 4,
      parameterPath: '/image-search/serving',
    });
  });

  it.each([
    [{ APP_MODE: 'cloud' }, /APP_MODE must be one of local, aws, got "cloud"/],
    [{ SEARCH_WEIGHT: '1.5' }, /SEARCH_WEIGHT must be a number from 0 to 1/],
    [{ SEARCH_CANDIDATES: '10.5' }, /SEARCH_CANDIDATES must be a whole number/],
    [{ EMBEDDING_LENGTH: '512' }, /EMBEDDING_LENGTH must be one of 256, 384, 1024/],
    [{ ...awsEnv, DATA_BUCKET: '' }, /DATA_BUCKET is required when APP_MODE=aws/],
    [{ ...awsEnv, OPENSEARCH_ENDPOINT: 'http://x' }, /OPENSEARCH_ENDPOINT must be an https:\/\/ URL/],
    [{ ...awsEnv, BUCKET_PREFIX: 'data' }, /BUCKET_PREFIX must end with "\/"/],
    [{ ...awsEnv, KNN_SPACE_TYPE: 'dot' }, /KNN_SPACE_TYPE must be one of/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
