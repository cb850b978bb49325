/** The environment variables the ServingApi construct sets and the serving Lambdas read (one list, so they cannot drift). */
export const SERVING_ENV = {
  parameterPrefix: 'SERVING_PARAMETER_PREFIX',
  alias: 'SERVING_ALIAS',
  openSearchEndpoint: 'OPENSEARCH_ENDPOINT',
  indexPrefix: 'INDEX_PREFIX',
  embeddingLength: 'EMBEDDING_LENGTH',
  userHistoryTable: 'USER_HISTORY_TABLE',
  defaultWeight: 'DEFAULT_WEIGHT',
  candidates: 'CANDIDATES',
  parameterCacheSeconds: 'PARAMETER_CACHE_SECONDS',
  imageBaseUrl: 'IMAGE_BASE_URL',
} as const;
