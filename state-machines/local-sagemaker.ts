/**
 * The SageMaker K-Means tasks of the definition run locally: "Train K-Means" fits the in-process k-means on the same
 * CSV channel, "Create K-Means model" registers the artifact, "Assign clusters" writes the transform's jsonlines
 * output beside the input file name, as the batch transform does. Responses carry the fields the definition selects.
 * The model artifact is the local cluster-model JSON, not SageMaker's model.tar.gz (only this runner reads it).
 */
import { AppError, ValidationError } from '../core/errors';
import { kmeansAssignmentLine, parseKmeansCsvRow } from '../core/kmeans-csv';
import { parseClusterModel, serializeClusterModel } from '../core/local/cluster-model-file';
import type { KMeansClusterer } from '../core/local/kmeans-clusterer';
import type { ClusterModel } from '../core/ports/clusterer';
import type { ObjectStore } from '../core/ports/object-store';
import { squaredDistance } from '../core/vector-math';
import { keyOfS3Uri } from './local-s3-uri';

type Json = Record<string, unknown>;

export interface LocalSageMakerDeps {
  readonly store: ObjectStore;
  readonly clusterer: KMeansClusterer;
  readonly seed: number;
  /** The serving generation's model, to warm-start from so cluster ids stay stable across runs. */
  readonly previousModel: () => Promise<ClusterModel | undefined>;
  /** Called with each trained model (the runner keeps it with the generation). */
  readonly onTrained?: (model: ClusterModel, jobName: string) => Promise<void>;
}

export interface LocalSageMaker {
  createTrainingJob(params: Json): Promise<Json>;
  createModel(params: Json): Promise<Json>;
  createTransformJob(params: Json): Promise<Json>;
}

export function createLocalSageMaker(deps: LocalSageMakerDeps): LocalSageMaker {
  const models = new Map<string, string>();

  async function readVectors(prefix: string, dimension: number): Promise<{ keys: string[]; vectors: Float32Array[][] }> {
    const keys = (await deps.store.list(prefix)).filter((key) => !key.endsWith('/'));
    if (keys.length === 0) throw new ValidationError(`no input objects under ${prefix}`, { field: 'S3Uri' });
    const vectors: Float32Array[][] = [];
    for (const key of keys) {
      const rows: Float32Array[] = [];
      let n = 0;
      for await (const line of deps.store.readLines(key)) {
        n++;
        if (line.trim() !== '') rows.push(parseKmeansCsvRow(line, dimension, `${key} row ${n}`));
      }
      vectors.push(rows);
    }
    return { keys, vectors };
  }

  return {
    async createTrainingJob(params) {
      const name = String(params.TrainingJobName);
      const hyper = (params.HyperParameters ?? {}) as Record<string, string>;
      const k = Number(hyper.k);
      const channel = (params.InputDataConfig as Json[] | undefined)?.[0]?.DataSource as { S3DataSource?: { S3Uri?: string } } | undefined;
      const prefix = keyOfS3Uri(channel?.S3DataSource?.S3Uri, 'InputDataConfig[0].DataSource.S3DataSource.S3Uri');
      // feature_dim in the definition is Titan's length; the local rows have the local embedder's (see local-handlers.ts).
      const { vectors } = await readVectors(prefix, dimensionOf(await firstRow(deps.store, prefix)));
      const all = vectors.flat();
      if (!Number.isInteger(k) || k < 2 || k > all.length) throw new ValidationError(`hyperparameter k = ${hyper.k} needs 2 <= k <= ${all.length} rows`, { field: 'k' });
      const previous = await deps.previousModel();
      const warmStart = previous && previous.k === k && previous.dimension === all[0]?.length ? previous : undefined;
      const fit = await deps.clusterer.fit(all, { k, seed: deps.seed, ...(warmStart && { warmStart }) });
      const outputKey = `${keyOfS3Uri(toS3(params.OutputDataConfig), 'OutputDataConfig.S3OutputPath')}${name}/output/model.json`;
      await deps.store.putBytes(outputKey, serializeClusterModel(fit.model));
      await deps.onTrained?.(fit.model, name);
      return { TrainingJobName: name, TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: `s3://local/${outputKey}` } };
    },

    async createModel(params) {
      const name = String(params.ModelName);
      const container = params.PrimaryContainer as { ModelDataUrl?: string } | undefined;
      keyOfS3Uri(container?.ModelDataUrl, 'PrimaryContainer.ModelDataUrl');
      models.set(name, container?.ModelDataUrl as string);
      return { ModelArn: `arn:aws:sagemaker:local:000000000000:model/${name}` };
    },

    async createTransformJob(params) {
      const name = String(params.TransformJobName);
      const artifact = models.get(String(params.ModelName));
      if (artifact === undefined) throw new AppError(`model ${String(params.ModelName)} does not exist: "Create K-Means model" must run first`);
      const model = parseClusterModel(await deps.store.getBytes(keyOfS3Uri(artifact, 'ModelDataUrl')));
      const input = (params.TransformInput as { DataSource?: { S3DataSource?: { S3Uri?: string } } } | undefined)?.DataSource?.S3DataSource?.S3Uri;
      const inputPrefix = keyOfS3Uri(input, 'TransformInput.DataSource.S3DataSource.S3Uri');
      const outputPrefix = keyOfS3Uri((params.TransformOutput as { S3OutputPath?: string } | undefined)?.S3OutputPath, 'TransformOutput.S3OutputPath');
      const { keys, vectors } = await readVectors(inputPrefix, model.dimension);
      for (const [i, key] of keys.entries()) {
        const lines = (vectors[i] as Float32Array[]).map((vector) => {
          let best = 0;
          let bestDistance = Infinity;
          model.centroids.forEach((centroid, c) => {
            const d = squaredDistance(vector, centroid);
            if (d < bestDistance) [best, bestDistance] = [c, d];
          });
          return kmeansAssignmentLine(best, Math.sqrt(bestDistance));
        });
        // The batch transform names each output after its input object, plus ".out".
        await deps.store.writeLines(`${outputPrefix}${key.slice(key.lastIndexOf('/') + 1)}.out`, lines);
      }
      return { TransformJobName: name, TransformJobStatus: 'Completed' };
    },
  };
}

function toS3(output: unknown): string | undefined {
  return (output as { S3OutputPath?: string } | undefined)?.S3OutputPath;
}

async function firstRow(store: ObjectStore, prefix: string): Promise<string> {
  for (const key of await store.list(prefix)) {
    for await (const line of store.readLines(key)) if (line.trim() !== '') return line;
  }
  throw new ValidationError(`the training channel ${prefix} is empty`, { field: 'S3Uri' });
}

function dimensionOf(row: string): number {
  return row.split(',').length;
}
