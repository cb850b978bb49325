/**
 * The AWS values that change with each pipeline run, read from SSM Parameter Store with one GetParameters call and
 * cached for the life of the process (a Lambda container): current generation, serving alias, campaign ARN, tracker id.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NotFoundError } from '../errors';
import type { PUBLISHED_FIELDS } from './ssm-generation-publisher';

export interface RuntimeParameters {
  readonly generation: string;
  readonly alias: string;
  readonly campaignArn: string;
  readonly trackingId: string;
}

// The names the pipeline's publish step writes (core/aws/ssm-generation-publisher.ts PUBLISHED_FIELDS).
const NAMES: Readonly<Record<keyof RuntimeParameters, (typeof PUBLISHED_FIELDS)[number]>> = {
  generation: 'generation',
  alias: 'alias',
  campaignArn: 'campaignArn',
  trackingId: 'trackingId',
};

export interface RuntimeParameterSource {
  get(): Promise<RuntimeParameters>;
  /** Forgets the cached values, e.g. after the pipeline announced a new generation. */
  invalidate(): void;
}

export function ssmRuntimeParameters(props: { readonly parameterPath: string; readonly client?: SSMClient; readonly region?: string }): RuntimeParameterSource {
  const client = props.client ?? new SSMClient(props.region !== undefined ? { region: props.region } : {});
  const nameOf = (key: keyof RuntimeParameters): string => `${props.parameterPath}/${NAMES[key]}`;
  let cached: Promise<RuntimeParameters> | undefined;
  const load = async (): Promise<RuntimeParameters> => {
    const keys = Object.keys(NAMES) as (keyof RuntimeParameters)[];
    const response = await client.send(new GetParametersCommand({ Names: keys.map(nameOf) }));
    const values = new Map((response.Parameters ?? []).map((p) => [p.Name, p.Value]));
    const missing = keys.map(nameOf).filter((name) => !values.get(name));
    if (missing.length > 0) {
      throw new NotFoundError(`SSM parameters ${missing.join(', ')} are missing or empty; the pipeline writes them on its first run`);
    }
    return Object.fromEntries(keys.map((key) => [key, values.get(nameOf(key)) as string])) as unknown as RuntimeParameters;
  };
  return {
    get() {
      if (cached === undefined) {
        cached = load();
        // A failed read is not cached: the next request tries again.
        cached.catch(() => (cached = undefined));
      }
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
