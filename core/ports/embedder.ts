/** One image to embed: its id (for reports) and its encoded bytes (PNG or JPEG). */
export interface ImageInput {
  readonly id: string;
  readonly bytes: Uint8Array;
}

export interface EmbeddedImage {
  readonly id: string;
  readonly vector: Float32Array;
}

/** An image that could not be embedded, with the reason; the rest of the batch still is. */
export interface SkippedImage {
  readonly id: string;
  readonly reason: string;
}

export interface EmbedImagesResult {
  /** In input order, without the skipped ones. */
  readonly embedded: EmbeddedImage[];
  readonly skipped: SkippedImage[];
}

/**
 * Maps images and texts into ONE space: the text "cat" lands near cat images of every style.
 * Every vector is L2-normalised and `dimension` long, so cosine similarity is a dot product.
 */
export interface Embedder {
  readonly dimension: number;
  /** Identifies the model that made the vectors (stored with an index generation). */
  readonly modelVersion: string;
  embedImages(images: readonly ImageInput[]): Promise<EmbedImagesResult>;
  embedText(texts: readonly string[]): Promise<Float32Array[]>;
}
