/**
 * The custom resource behind infra/constructs/pipeline-teardown.ts (a Provider onEvent handler): nothing on Create and
 * Update; on Delete, the teardown. Runs in one invocation of up to 15 minutes, so each Personalize wait is bounded to
 * fit: campaign then solution, 6 minutes each at most.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AwsPersonalizeAdmin } from '../../core/aws/personalize-admin';
import { SsmGenerationPublisher } from '../../core/aws/ssm-generation-publisher';
import { makeTeardownHandler } from '../teardown';
import { env, region, vectorIndex } from './environment';
import { logger } from './instrument';

/** Stable: a Delete of this id is the stack's own deletion, never a replacement. */
export const PHYSICAL_RESOURCE_ID = 'pipeline-teardown';

const teardown = makeTeardownHandler({
  personalize: new AwsPersonalizeAdmin({ region: region(), pollIntervalMs: 10_000, maxWaitMs: 6 * 60_000 }),
  index: vectorIndex(),
  parameters: new SsmGenerationPublisher({ prefix: env('PARAMETER_PREFIX'), region: region() }),
});

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  if (event.RequestType === 'Delete') {
    const properties = event.ResourceProperties as Record<string, unknown>;
    const summary = await teardown({
      datasetGroupArn: properties.DatasetGroupArn as string,
      alias: properties.Alias as string,
      // Custom resource properties arrive as strings.
      keepIndex: properties.KeepIndex === 'true',
    });
    logger.info('teardown done', { summary });
  }
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
}
