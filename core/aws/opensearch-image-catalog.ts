/**
 * The ImageCatalog port on the OpenSearch domain: GETs the image's document by id from the generation's index
 * (documents are written by OpenSearchVectorIndex with `_id` = image id and `cluster`, `metadata` fields).
 * https://opensearch.org/docs/latest/api-reference/document-apis/get-documents/
 */
import type { Client } from '@opensearch-project/opensearch';
import { AppError, NotFoundError, ValidationError } from '../errors';
import type { CatalogEntry, ImageCatalog } from '../ports/image-catalog';
import { validateOpenSearchName, VECTOR_FIELD } from './opensearch-requests';
import { validateRetryOptions, withRetry, type RetryOptions } from './retry';

export interface OpenSearchImageCatalogProps {
  /** A configured client (`createOpenSearchClient`), with `maxRetries: 0` so 429s meet this adapter's backoff. */
  readonly client: Client;
  /** Index name = prefix + generation, as in OpenSearchVectorIndex. @default 'images-' */
  readonly indexPrefix?: string;
  readonly retry?: RetryOptions;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export class OpenSearchImageCatalog implements ImageCatalog {
  private readonly indexPrefix: string;
  private readonly retry: RetryOptions;

  constructor(private readonly props: OpenSearchImageCatalogProps) {
    this.indexPrefix = props.indexPrefix ?? 'images-';
    validateOpenSearchName(this.indexPrefix, 'indexPrefix');
    validateRetryOptions(props.retry, 'retry');
    this.retry = props.retry ?? {};
  }

  async lookup(generation: string, imageId: string): Promise<CatalogEntry | undefined> {
    validateOpenSearchName(generation, 'generation');
    if (typeof imageId !== 'string' || imageId.length === 0) throw new ValidationError('imageId must be a non-empty string', { field: 'imageId' });
    const index = `${this.indexPrefix}${generation}`;
    const path = `/${index}/_doc/${encodeURIComponent(imageId)}`;
    const response = await this.get(path);
    if (response.statusCode === 404) {
      if (errorType(response.body) === 'index_not_found_exception') {
        throw new NotFoundError(`index ${index} of generation ${generation} does not exist; was it deleted by retention while still published?`);
      }
      return undefined;
    }
    const body = response.body as { found?: boolean; _source?: { cluster?: unknown; metadata?: unknown } };
    if (body.found === false) return undefined;
    const cluster = Number(body._source?.cluster);
    if (!Number.isInteger(cluster) || cluster < 0) {
      throw new AppError(`document ${imageId} in ${index} has no valid cluster (got ${JSON.stringify(body._source?.cluster)})`);
    }
    const metadata = body._source?.metadata;
    return { cluster, metadata: metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, string>) : {} };
  }

  private async get(path: string): Promise<{ statusCode: number; body: unknown }> {
    try {
      return await withRetry(
        async () => {
          const response = await this.props.client.transport.request(
            { method: 'GET', path, querystring: { _source_excludes: VECTOR_FIELD } },
            { ignore: [404], maxRetries: 0 },
          );
          return { statusCode: response.statusCode ?? 0, body: response.body };
        },
        (error) => {
          const e = error as { name?: string; meta?: { statusCode?: number } };
          return RETRYABLE_STATUS.has(e.meta?.statusCode ?? 0) || e.name === 'ConnectionError' || e.name === 'TimeoutError';
        },
        this.retry,
      );
    } catch (error) {
      const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
      if (status !== undefined) throw new AppError(`OpenSearch GET ${path} failed with status ${status}`, { cause: error });
      throw error;
    }
  }
}

function errorType(body: unknown): string | undefined {
  return (body as { error?: { type?: string } } | undefined)?.error?.type;
}
