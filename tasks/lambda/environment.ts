/** Environment of the pipeline Lambdas, set by state-machines/task-functions.ts; a missing one fails at cold start. */
import { ValidationError } from '../../core/errors';
import { createOpenSearchClient, OpenSearchVectorIndex } from '../../core/aws/opensearch-vector-index';
import { S3ObjectStore } from '../../core/aws/s3-object-store';
import { tracer } from './instrument';

export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ValidationError(`environment variable ${name} is not set`, { field: name });
  return value;
}

export function region(): string {
  return env('AWS_REGION');
}

export function dataStore(): S3ObjectStore {
  return new S3ObjectStore({ bucket: env('BUCKET_NAME'), region: region() });
}

export function vectorIndex(): OpenSearchVectorIndex {
  return new OpenSearchVectorIndex({
    client: createOpenSearchClient({ endpoint: env('DOMAIN_ENDPOINT'), region: region() }),
    indexPrefix: env('INDEX_PREFIX'),
  });
}

export { tracer };
