/** What the events path needs to know about an image of a served generation. */
export interface CatalogEntry {
  /** The image's cluster in that generation. */
  readonly cluster: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Looks images up by id in one index generation (the one a response or event was served from). */
export interface ImageCatalog {
  /** Undefined when the generation has no image with that id. */
  lookup(generation: string, imageId: string): Promise<CatalogEntry | undefined>;
}
