/**
 * The one place that decides which adapters a process uses. Local mode loads the embedder and ranker trained for the
 * generation the serving alias points at (they are per-generation files); AWS mode builds the Titan, OpenSearch,
 * Personalize and S3 adapters from the config and the SSM runtime parameters.
 */
import type { AppConfig } from './config';
import { NoIndexError, ValidationError } from './errors';
import type { Embedder } from './ports/embedder';
import type { ObjectStore } from './ports/object-store';
import type { Ranker } from './ports/ranker';
import type { VectorIndex } from './ports/vector-index';
import { FolderObjectStore } from './local/folder-object-store';
import { LocalVectorIndex } from './local/hnsw-vector-index';
import { LocalEmbedder } from './local/local-embedder';
import { LocalRanker } from './local/local-ranker';
import { LocalStateLayout, SERVING_ALIAS } from './local/local-state';
import { loadRankerModel } from './local/ranker-model-file';
import type { RuntimeParameterSource } from './aws/aws-config';

export interface Adapters {
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  readonly ranker: Ranker;
  readonly store: ObjectStore;
  /** The generation the embedder and ranker belong to. */
  readonly generation: string;
}

export interface CreateAdaptersOptions {
  /** AWS mode: where generation, campaign and tracker come from. @default SSM under config.aws.parameterPath */
  readonly parameters?: RuntimeParameterSource;
}

export async function createAdapters(config: AppConfig, options: CreateAdaptersOptions = {}): Promise<Adapters> {
  return config.mode === 'local' ? createLocalAdapters(config) : createAwsAdapters(config, options);
}

async function createLocalAdapters(config: AppConfig): Promise<Adapters> {
  const layout = new LocalStateLayout(config.local.stateDir);
  const index = new LocalVectorIndex({ root: layout.indexRoot });
  const generation = await index.resolveAlias(SERVING_ALIAS);
  if (generation === undefined) throw new NoIndexError(SERVING_ALIAS);
  const [embedder, rankerModel] = await Promise.all([LocalEmbedder.load(layout.embedderModel(generation)), loadRankerModel(layout.rankerModel(generation))]);
  return { embedder, index, ranker: new LocalRanker(rankerModel), store: new FolderObjectStore({ root: config.local.dataDir }), generation };
}

async function createAwsAdapters(config: AppConfig, options: CreateAdaptersOptions): Promise<Adapters> {
  const aws = config.aws;
  if (aws === undefined) throw new ValidationError('APP_MODE=aws needs the AWS settings (readConfig fills them)', { field: 'aws' });
  // Imported here so that local mode never loads the AWS SDK.
  const [{ ssmRuntimeParameters }, { TitanEmbedder }, { OpenSearchVectorIndex, createOpenSearchClient }, { PersonalizeRanker }, { S3ObjectStore }] = await Promise.all([
    import('./aws/aws-config'),
    import('./aws/titan-embedder'),
    import('./aws/opensearch-vector-index'),
    import('./aws/personalize-ranker'),
    import('./aws/s3-object-store'),
  ]);
  const parameters = await (options.parameters ?? ssmRuntimeParameters({ parameterPath: aws.parameterPath, region: aws.region })).get();
  return {
    embedder: new TitanEmbedder({ region: aws.region, outputEmbeddingLength: config.embeddingLength, concurrency: aws.embedConcurrency }),
    index: new OpenSearchVectorIndex({
      client: createOpenSearchClient({ endpoint: aws.openSearchEndpoint, region: aws.region, service: aws.openSearchService }),
      indexPrefix: aws.indexPrefix,
      spaceType: aws.spaceType,
    }),
    ranker: new PersonalizeRanker({ campaignArn: parameters.campaignArn, trackingId: parameters.trackingId, region: aws.region }),
    store: new S3ObjectStore({ bucket: aws.bucket, prefix: aws.bucketPrefix, region: aws.region }),
    generation: parameters.generation,
  };
}
