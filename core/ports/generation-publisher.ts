/** What serving needs to switch to a new pipeline generation, published by the pipeline's last step. */
export interface PublishedGeneration {
  /** The index generation the alias now points at. */
  readonly generation: string;
  /** The clustering generation in the ranker's item ids (`<clusterGeneration>.c<cluster>`). */
  readonly clusterGeneration: string;
  readonly clusterCount: number;
  readonly campaignArn: string;
  readonly trackingId: string;
  readonly alias: string;
}

export interface GenerationPublisher {
  /** Writes every field; the `generation` field last, so a reader that sees it sees the rest of the same run. */
  publish(generation: PublishedGeneration): Promise<void>;
}
