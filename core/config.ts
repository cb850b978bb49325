/**
 * The process configuration: one typed, validated object read once per cold start from environment variables. Local
 * mode needs no variables at all. The AWS values that change with every pipeline run (generation, alias, campaign,
 * tracker) are not here: they come from SSM through `core/aws/aws-config.ts`.
 */
import { ValidationError } from './errors';
import { DEFAULT_CANDIDATES, DEFAULT_WEIGHT } from './personalized-search';

export type Mode = 'local' | 'aws';
export type EmbeddingLength = 256 | 384 | 1024;

export interface SearchDefaults {
  /** Blend weight of the personal preference, in [0, 1]. @default DEFAULT_WEIGHT (0.75, chosen by npm run eval) */
  readonly weight: number;
  /** k-NN hits re-ranked per search. @default 100 */
  readonly candidates: number;
  /** Clusters (k-means k). @default 48 */
  readonly clusters: number;
  /** Results returned per page. @default 24 */
  readonly pageSize: number;
}

export interface LocalConfig {
  /** @default 'data/sample' */
  readonly dataDir: string;
  /** @default '.state' */
  readonly stateDir: string;
}

export interface AwsConfig {
  readonly region: string;
  /** Bucket with the images, manifest and interactions. */
  readonly bucket: string;
  /** @default '' */
  readonly bucketPrefix: string;
  /** https:// endpoint of the OpenSearch domain. */
  readonly openSearchEndpoint: string;
  /** @default 'es' (managed domain); 'aoss' for serverless */
  readonly openSearchService: 'es' | 'aoss';
  /** @default 'images-' */
  readonly indexPrefix: string;
  /** @default 'innerproduct' */
  readonly spaceType: 'innerproduct' | 'cosinesimil' | 'l2';
  /** Titan InvokeModel calls in flight per process. @default 4 */
  readonly embedConcurrency: number;
  /** SSM path the pipeline publishes the serving generation under (the stack's `/<resourcePrefix>/serving`). @default '/image-search/serving' */
  readonly parameterPath: string;
}

export interface AppConfig {
  readonly mode: Mode;
  readonly embeddingLength: EmbeddingLength;
  readonly search: SearchDefaults;
  readonly local: LocalConfig;
  /** Present in aws mode only. */
  readonly aws?: AwsConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; every message names the variable at fault. */
export function readConfig(env: Env = process.env): AppConfig {
  const mode = oneOf(env, 'APP_MODE', ['local', 'aws'] as const, 'local');
  const config: AppConfig = {
    mode,
    embeddingLength: Number(oneOf(env, 'EMBEDDING_LENGTH', ['256', '384', '1024'] as const, '1024')) as EmbeddingLength,
    search: {
      weight: number(env, 'SEARCH_WEIGHT', DEFAULT_WEIGHT, 0, 1),
      candidates: integer(env, 'SEARCH_CANDIDATES', DEFAULT_CANDIDATES, 1, 10_000),
      clusters: integer(env, 'CLUSTER_COUNT', 48, 2, 500),
      pageSize: integer(env, 'PAGE_SIZE', 24, 1, 1000),
    },
    local: { dataDir: text(env, 'DATA_DIR', 'data/sample'), stateDir: text(env, 'STATE_DIR', '.state') },
  };
  if (mode === 'local') return config;
  const endpoint = required(env, 'OPENSEARCH_ENDPOINT');
  if (!/^https:\/\/[^\s/]+/.test(endpoint)) throw invalid('OPENSEARCH_ENDPOINT', `must be an https:// URL, got "${endpoint}"`);
  const bucketPrefix = text(env, 'BUCKET_PREFIX', '');
  if (bucketPrefix !== '' && !bucketPrefix.endsWith('/')) throw invalid('BUCKET_PREFIX', `must end with "/", got "${bucketPrefix}"`);
  const parameterPath = text(env, 'PARAMETER_PATH', '/image-search/serving');
  if (!/^\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.-]$/.test(parameterPath)) throw invalid('PARAMETER_PATH', `must be an SSM path like "/image-search", got "${parameterPath}"`);
  return {
    ...config,
    aws: {
      region: required(env, 'AWS_REGION'),
      bucket: required(env, 'DATA_BUCKET'),
      bucketPrefix,
      openSearchEndpoint: endpoint,
      openSearchService: oneOf(env, 'OPENSEARCH_SERVICE', ['es', 'aoss'] as const, 'es'),
      indexPrefix: text(env, 'INDEX_PREFIX', 'images-'),
      spaceType: oneOf(env, 'KNN_SPACE_TYPE', ['innerproduct', 'cosinesimil', 'l2'] as const, 'innerproduct'),
      embedConcurrency: integer(env, 'EMBED_CONCURRENCY', 4, 1, 256),
      parameterPath,
    },
  };
}

function invalid(name: string, problem: string): ValidationError {
  return new ValidationError(`environment variable ${name} ${problem}`, { field: name });
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

function required(env: Env, name: string): string {
  const value = raw(env, name);
  if (value === undefined) throw invalid(name, 'is required when APP_MODE=aws');
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw invalid(name, `must be a number from ${min} to ${max}, got "${value}"`);
  return parsed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = number(env, name, fallback, min, max);
  if (!Number.isInteger(value)) throw invalid(name, `must be a whole number from ${min} to ${max}, got "${env[name]}"`);
  return value;
}
