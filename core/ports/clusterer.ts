/** A trained k-means model: k centroids of the embedding dimension. */
export interface ClusterModel {
  readonly k: number;
  readonly dimension: number;
  readonly centroids: Float32Array[];
}

export interface TrainOptions {
  readonly k: number;
  readonly seed?: number;
  /** Number of k-means++ restarts; the one with the lowest inertia wins. */
  readonly restarts?: number;
  readonly maxIterations?: number;
  /** The previous generation's model: seeds from its centroids and keeps cluster ids stable where clusters match. */
  readonly warmStart?: ClusterModel;
}

export interface Clusterer {
  train(vectors: readonly Float32Array[], options: TrainOptions): Promise<ClusterModel>;
  /** The id (0..k-1) of the nearest centroid of each vector. */
  assign(model: ClusterModel, vectors: readonly Float32Array[]): Promise<number[]>;
}
