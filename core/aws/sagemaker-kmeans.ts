/**
 * Glue for SageMaker's built-in K-Means: the training channel as headerless CSV, the hyperparameters as the strings
 * the API wants, the per-region image, and the batch-transform output parsed back into cluster ids.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/k-means.html
 * The model artifact (model.tar.gz with an MXNet NDArray of centroids) is not parsed here: serving assigns clusters
 * through the transform output, and warm starts keep the local k-means model file.
 */
import { ValidationError } from '../errors';

/** Registry accounts of the built-in algorithm images. https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html */
export const KMEANS_IMAGE_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '382416733822',
  'us-east-2': '404615174143',
  'us-west-1': '632365934929',
  'us-west-2': '174872318107',
  'eu-west-1': '438346466558',
  'eu-west-2': '644912444149',
  'eu-central-1': '664544806723',
  'ap-northeast-1': '351501993468',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '712309505854',
  'ap-south-1': '991648021394',
  'ca-central-1': '469771592824',
};

export const KMEANS_TRAIN_CONTENT_TYPE = 'text/csv;label_size=0';
export const KMEANS_TRANSFORM_ACCEPT = 'application/jsonlines';

export function kmeansImageUri(region: string): string {
  const account = KMEANS_IMAGE_ACCOUNTS[region];
  if (account === undefined) {
    throw new ValidationError(
      `no SageMaker K-Means image is known for region "${region}"; supported: ${Object.keys(KMEANS_IMAGE_ACCOUNTS).join(', ')} (add the account to KMEANS_IMAGE_ACCOUNTS)`,
      { field: 'region' },
    );
  }
  return `${account}.dkr.ecr.${region}.amazonaws.com/kmeans:1`;
}

export interface KMeansHyperparameters {
  readonly featureDim: number;
  readonly k: number;
  /** @default 5000 (SageMaker's) */
  readonly miniBatchSize?: number;
  /** @default 1 */
  readonly epochs?: number;
  /** @default 'random' */
  readonly initMethod?: 'random' | 'kmeans++';
  /** 'auto' or a number. @default 'auto' */
  readonly extraCenterFactor?: number | 'auto';
  /** @default 300 */
  readonly localLloydMaxIter?: number;
  /** @default 'kmeans++' */
  readonly localLloydInitMethod?: 'random' | 'kmeans++';
  /** @default 0.0001 */
  readonly localLloydTol?: number;
  /** @default ['msd'] */
  readonly evalMetrics?: readonly ('msd' | 'ssd')[];
}

/** CreateTrainingJob's HyperParameters: every value a string; optional ones only when set. */
export function kmeansHyperparameters(h: KMeansHyperparameters): Record<string, string> {
  integer(h.featureDim, 'featureDim', 1);
  integer(h.k, 'k', 2);
  const out: Record<string, string> = { feature_dim: String(h.featureDim), k: String(h.k) };
  if (h.miniBatchSize !== undefined) out.mini_batch_size = String(integer(h.miniBatchSize, 'miniBatchSize', 1));
  if (h.epochs !== undefined) out.epochs = String(integer(h.epochs, 'epochs', 1));
  if (h.initMethod !== undefined) out.init_method = h.initMethod;
  if (h.extraCenterFactor !== undefined) out.extra_center_factor = h.extraCenterFactor === 'auto' ? 'auto' : String(integer(h.extraCenterFactor, 'extraCenterFactor', 1));
  if (h.localLloydMaxIter !== undefined) out.local_lloyd_max_iter = String(integer(h.localLloydMaxIter, 'localLloydMaxIter', 1));
  if (h.localLloydInitMethod !== undefined) out.local_lloyd_init_method = h.localLloydInitMethod;
  if (h.localLloydTol !== undefined) {
    if (!(h.localLloydTol > 0 && h.localLloydTol < 1)) throw new ValidationError(`localLloydTol must be in (0, 1), got ${h.localLloydTol}`, { field: 'localLloydTol' });
    out.local_lloyd_tol = String(h.localLloydTol);
  }
  if (h.evalMetrics !== undefined) out.eval_metrics = JSON.stringify(h.evalMetrics);
  return out;
}

// The CSV and jsonlines formats live in core/kmeans-csv.ts (one copy, shared with the pipeline steps).
export { parseTransformOutput, trainingCsvLines } from '../kmeans-csv';
export type { KMeansAssignment } from '../kmeans-csv';

function integer(value: number, field: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new ValidationError(`${field} must be an integer >= ${min}, got ${String(value)}`, { field });
  return value;
}
