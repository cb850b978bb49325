/**
 * Settings of the retraining state machine: what the stack's config passes to `RetrainingStateMachine`.
 * Validated at synth time so a bad value fails `cdk synth` with the setting's name, not a failed run days later.
 */
import { ValidationError } from '../core/errors';

/** Titan Multimodal Embeddings G1 output lengths. */
export type EmbeddingLength = 256 | 384 | 1024;

export interface PipelineSettings {
  /** Number of K-Means clusters (styles); Personalize sees one item per cluster. */
  readonly k: number;
  /** Titan output length; also the K-Means feature_dim and the k-NN field's dimension. */
  readonly embeddingLength: EmbeddingLength;
  /** Images per Distributed Map child (ItemBatcher MaxItemsPerBatch). */
  readonly embedBatchSize: number;
  /** Distributed Map MaxConcurrency: size it from the Titan tokens-per-minute quota. */
  readonly maxConcurrency: number;
  /** Distributed Map ToleratedFailurePercentage (0..100). */
  readonly toleratedFailurePercentage: number;
  /** SageMaker training instance, e.g. ml.m5.large. */
  readonly kmeansInstanceType: string;
  /** SageMaker batch transform instance. */
  readonly transformInstanceType: string;
  /** Personalize recipe ARN (a Personalized-Ranking recipe). */
  readonly recipeArn: string;
  /** Index generations to keep, including the one being served (>= 1). */
  readonly retention: number;
  /** Prefix of OpenSearch index generation names, `<indexPrefix>-<generation>`. */
  readonly indexPrefix: string;
  /** The OpenSearch alias serving reads through. */
  readonly alias: string;
  /** Name of the Personalize solution the pipeline creates once and retrains. */
  readonly personalizeSolutionName: string;
  /** Name of the Personalize campaign the pipeline creates once and updates. */
  readonly campaignName: string;
  /** Name of the event tracker the pipeline creates once per dataset group. */
  readonly eventTrackerName: string;
  /** Seconds between Describe* polls of Personalize jobs. */
  readonly pollIntervalSeconds: number;
  /** Polls before a Personalize wait fails with PollAttemptsExceeded; with the interval, the wait's upper bound. */
  readonly maxPollAttempts: number;
  /** Campaign minProvisionedTPS (billed per hour: keep at 1 unless traffic needs more). */
  readonly minProvisionedTps: number;
  /** Hours a SageMaker training or transform job may run before it is stopped. */
  readonly sagemakerMaxRuntimeHours: number;
  /** K-Means epochs (SageMaker default 1). */
  readonly kmeansEpochs: number;
  /** S3 key of the image manifest (JSONL, one image a line) in the data bucket. */
  readonly manifestKey: string;
  /** S3 key of the image-level interactions CSV in the data bucket. */
  readonly interactionsKey: string;
  /** EventBridge `source` of the success and failure events. */
  readonly eventSource: string;
  /** Lambda memory of the pipeline's task functions, in MB. */
  readonly taskMemoryMb: number;
  /**
   * The quality gate: the largest drop (absolute, 0..1) of the new solution version's ndcg@10 or precision@10 below
   * the serving version's before the run is rejected and the campaign keeps the serving version.
   */
  readonly qualityTolerance: number;
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  k: 48,
  embeddingLength: 1024,
  embedBatchSize: 20,
  maxConcurrency: 10,
  toleratedFailurePercentage: 5,
  kmeansInstanceType: 'ml.m5.large',
  transformInstanceType: 'ml.m5.large',
  recipeArn: 'arn:aws:personalize:::recipe/aws-personalized-ranking-v2',
  retention: 3,
  indexPrefix: 'images',
  alias: 'images',
  personalizeSolutionName: 'image-search-style-ranking',
  campaignName: 'image-search-style-ranking',
  eventTrackerName: 'image-search-events',
  // Solution versions take 30-90 minutes; 60 s x 240 bounds each wait at 4 hours.
  pollIntervalSeconds: 60,
  maxPollAttempts: 240,
  minProvisionedTps: 1,
  sagemakerMaxRuntimeHours: 2,
  kmeansEpochs: 1,
  manifestKey: 'images/manifest.jsonl',
  interactionsKey: 'interactions/interactions.csv',
  eventSource: 'image-search.pipeline',
  taskMemoryMb: 1024,
  // Locally, the sample with its item column shuffled (a broken import) drops ndcg@10 by 0.26 at k = 48, while the
  // same data retrained measures the same figures: two points stop the first and let a model as good as the last through.
  qualityTolerance: 0.02,
};

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PERSONALIZE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}$/;
const INSTANCE_PATTERN = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

/** Throws a ValidationError naming the first setting that is out of range; returns the settings unchanged. */
export function validatePipelineSettings(settings: PipelineSettings): PipelineSettings {
  const fail = (field: keyof PipelineSettings, rule: string): never => {
    throw new ValidationError(`pipeline setting ${field} = ${JSON.stringify(settings[field])} is invalid: ${rule}`, { field });
  };
  const integer = (field: keyof PipelineSettings, min: number, max: number): void => {
    const value = settings[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(field, `expected an integer in [${min}, ${max}]`);
    }
  };
  // K-Means needs k >= 2; Personalize needs far fewer items than 10,000 to learn anything per cluster.
  integer('k', 2, 10_000);
  if (![256, 384, 1024].includes(settings.embeddingLength)) fail('embeddingLength', 'Titan Multimodal supports 256, 384 or 1024');
  integer('embedBatchSize', 1, 1000);
  // https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html: MaxConcurrency <= 10,000
  integer('maxConcurrency', 1, 10_000);
  const tolerated = settings.toleratedFailurePercentage;
  if (typeof tolerated !== 'number' || !Number.isFinite(tolerated) || tolerated < 0 || tolerated > 100) {
    fail('toleratedFailurePercentage', 'expected a number in [0, 100]');
  }
  if (!INSTANCE_PATTERN.test(settings.kmeansInstanceType)) fail('kmeansInstanceType', 'expected a SageMaker instance type like ml.m5.large');
  if (!INSTANCE_PATTERN.test(settings.transformInstanceType)) fail('transformInstanceType', 'expected a SageMaker instance type like ml.m5.large');
  if (!/^arn:aws[a-z-]*:personalize:::recipe\/[A-Za-z0-9-]+$/.test(settings.recipeArn)) {
    fail('recipeArn', 'expected arn:aws:personalize:::recipe/<name>, e.g. aws-personalized-ranking-v2');
  }
  integer('retention', 1, 100);
  if (!NAME_PATTERN.test(settings.indexPrefix)) fail('indexPrefix', 'use 1-63 lower-case letters, digits and "-"');
  if (!NAME_PATTERN.test(settings.alias)) fail('alias', 'use 1-63 lower-case letters, digits and "-"');
  if (!PERSONALIZE_NAME_PATTERN.test(settings.personalizeSolutionName)) fail('personalizeSolutionName', 'use 1-63 letters, digits, "-" or "_"');
  if (!PERSONALIZE_NAME_PATTERN.test(settings.campaignName)) fail('campaignName', 'use 1-63 letters, digits, "-" or "_"');
  if (!PERSONALIZE_NAME_PATTERN.test(settings.eventTrackerName)) fail('eventTrackerName', 'use 1-63 letters, digits, "-" or "_"');
  integer('pollIntervalSeconds', 1, 3600);
  integer('maxPollAttempts', 1, 10_000);
  integer('minProvisionedTps', 1, 1000);
  integer('sagemakerMaxRuntimeHours', 1, 120);
  integer('kmeansEpochs', 1, 100);
  for (const key of ['manifestKey', 'interactionsKey'] as const) {
    if (typeof settings[key] !== 'string' || settings[key].length === 0 || settings[key].startsWith('/')) {
      fail(key, 'expected a non-empty S3 key without a leading "/"');
    }
  }
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(settings.eventSource) || settings.eventSource.startsWith('aws.')) {
    fail('eventSource', 'expected a custom EventBridge source like "image-search.pipeline" (not "aws.*")');
  }
  integer('taskMemoryMb', 128, 10_240);
  const tolerance = settings.qualityTolerance;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > 1) {
    fail('qualityTolerance', 'expected a number in [0, 1] (the largest drop of ndcg@10 or precision@10 allowed)');
  }
  return settings;
}
