/**
 * The GenerationPublisher port on SSM Parameter Store: one String parameter per field under a prefix, `generation`
 * written last. https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 */
import { DeleteParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AppError, ValidationError } from '../errors';
import type { GenerationPublisher, PublishedGeneration } from '../ports/generation-publisher';
import { errorMessage, errorName, withRetry } from './retry';
import type { RetryOptions } from './retry';

export interface SsmGenerationPublisherProps {
  /** e.g. `/image-search/serving`: parameters are `<prefix>/generation`, `<prefix>/clusterGeneration`, ... */
  readonly prefix: string;
  /** @default new SSMClient({ region }) */
  readonly client?: Pick<SSMClient, 'send'>;
  readonly region?: string;
  readonly retry?: RetryOptions;
}

/** Field order of the writes: serving treats `generation` as the commit mark. */
export const PUBLISHED_FIELDS = ['alias', 'clusterGeneration', 'clusterCount', 'campaignArn', 'trackingId', 'generation'] as const;

export class SsmGenerationPublisher implements GenerationPublisher {
  private readonly prefix: string;
  private readonly client: Pick<SSMClient, 'send'>;
  private readonly retry: RetryOptions;

  constructor(props: SsmGenerationPublisherProps) {
    if (!/^\/[A-Za-z0-9_.\-/]*[^/]$/.test(props.prefix)) {
      throw new ValidationError(`prefix "${props.prefix}" must start with "/" and not end with "/"`, { field: 'prefix' });
    }
    this.prefix = props.prefix;
    this.client = props.client ?? new SSMClient(props.region !== undefined ? { region: props.region } : {});
    this.retry = props.retry ?? {};
  }

  async publish(generation: PublishedGeneration): Promise<void> {
    for (const field of PUBLISHED_FIELDS) {
      const value = String(generation[field]);
      if (value.length === 0) throw new ValidationError(`${field} is empty: nothing was published`, { field });
    }
    for (const field of PUBLISHED_FIELDS) {
      const name = `${this.prefix}/${field}`;
      try {
        await withRetry(
          () => this.client.send(new PutParameterCommand({ Name: name, Value: String(generation[field]), Type: 'String', Overwrite: true })),
          (error) => ['ThrottlingException', 'TooManyUpdates'].includes(errorName(error) ?? ''),
          this.retry,
        );
      } catch (error) {
        throw new AppError(`SSM PutParameter ${name} failed: ${errorName(error) ?? 'Error'}: ${errorMessage(error)}`, { cause: error });
      }
    }
  }

  /**
   * Deletes every published parameter (the teardown's); returns the names that existed. Names that are already gone
   * come back as InvalidParameters, not as an error, so a second run succeeds with nothing deleted.
   */
  async unpublish(): Promise<string[]> {
    const names = PUBLISHED_FIELDS.map((field) => `${this.prefix}/${field}`);
    try {
      // One call: DeleteParameters takes up to 10 names and there are 6.
      const out = await withRetry(
        () => this.client.send(new DeleteParametersCommand({ Names: names })),
        (error) => errorName(error) === 'ThrottlingException',
        this.retry,
      );
      return [...(out.DeletedParameters ?? [])].sort();
    } catch (error) {
      throw new AppError(`SSM DeleteParameters under ${this.prefix} failed: ${errorName(error) ?? 'Error'}: ${errorMessage(error)}`, { cause: error });
    }
  }
}
