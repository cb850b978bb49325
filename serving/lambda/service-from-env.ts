/**
 * Builds the AWS search service from the Lambda's environment (set by the ServingApi construct). Runs once per cold
 * start; a missing or malformed variable fails the init with its name.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbUserHistory } from '../../core/aws/dynamodb-user-history';
import { OpenSearchImageCatalog } from '../../core/aws/opensearch-image-catalog';
import { createOpenSearchClient, OpenSearchVectorIndex } from '../../core/aws/opensearch-vector-index';
import { PersonalizeRanker } from '../../core/aws/personalize-ranker';
import { SsmParameterReader } from '../../core/aws/ssm-parameter-reader';
import { TitanEmbedder } from '../../core/aws/titan-embedder';
import { ValidationError } from '../../core/errors';
import { createApiHandler } from '../api-handler';
import { AwsSearchService } from '../aws-search-service';
import type { HttpRequest, HttpResponse } from '../http-types';
import { logger, tracer } from './observability';
import { SERVING_ENV } from './serving-env';

export function apiHandlerFromEnv(env: NodeJS.ProcessEnv = process.env): (request: HttpRequest) => Promise<HttpResponse> {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new ValidationError(`environment variable ${name} is not set`, { field: name });
    return value;
  };
  const numeric = (name: string): number => {
    const value = Number(required(name));
    if (!Number.isFinite(value)) throw new ValidationError(`environment variable ${name} must be a number, got ${JSON.stringify(env[name])}`, { field: name });
    return value;
  };
  const region = required('AWS_REGION');
  const opensearch = createOpenSearchClient({ endpoint: required(SERVING_ENV.openSearchEndpoint), region });
  const indexPrefix = required(SERVING_ENV.indexPrefix);
  const personalizeRuntime = tracer.captureAWSv3Client(new PersonalizeRuntimeClient({ region }));
  const personalizeEvents = tracer.captureAWSv3Client(new PersonalizeEventsClient({ region }));
  const imageBaseUrl = env[SERVING_ENV.imageBaseUrl];

  const service = new AwsSearchService(
    {
      embedder: new TitanEmbedder({
        client: tracer.captureAWSv3Client(new BedrockRuntimeClient({ region, maxAttempts: 1 })),
        outputEmbeddingLength: numeric(SERVING_ENV.embeddingLength),
      }),
      index: new OpenSearchVectorIndex({ client: opensearch, indexPrefix }),
      catalog: new OpenSearchImageCatalog({ client: opensearch, indexPrefix }),
      userHistory: new DynamoDbUserHistory({ tableName: required(SERVING_ENV.userHistoryTable), client: tracer.captureAWSv3Client(new DynamoDBClient({ region })) }),
      parameters: new SsmParameterReader({ client: tracer.captureAWSv3Client(new SSMClient({ region })) }),
      rankerFor: (published) =>
        new PersonalizeRanker({ campaignArn: published.campaignArn, trackingId: published.trackingId, runtimeClient: personalizeRuntime, eventsClient: personalizeEvents }),
    },
    {
      parameterPrefix: required(SERVING_ENV.parameterPrefix),
      alias: required(SERVING_ENV.alias),
      parameterCacheMs: numeric(SERVING_ENV.parameterCacheSeconds) * 1000,
      candidates: numeric(SERVING_ENV.candidates),
      ...(imageBaseUrl !== undefined && imageBaseUrl !== '' && {
        imageUrl: (imageId: string, metadata: Readonly<Record<string, string>>) => `${imageBaseUrl.replace(/\/$/, '')}/${metadata.key ?? encodeURIComponent(imageId)}`,
      }),
    },
  );
  return createApiHandler(service, {
    defaultWeight: numeric(SERVING_ENV.defaultWeight),
    logError: (error) => logger.error('request failed', { error: error as Error }),
  });
}
