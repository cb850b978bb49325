import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmGenerationPublisher } from '../../core/aws/ssm-generation-publisher';
import { makePublishGenerationHandler } from '../publish-generation';
import { env, region, vectorIndex } from './environment';
import { instrument, tracer } from './instrument';

const client = tracer.captureAWSv3Client(new SSMClient({ region: region() }));
export const handler = instrument(
  'Publish generation',
  makePublishGenerationHandler({ index: vectorIndex(), publisher: new SsmGenerationPublisher({ prefix: env('PARAMETER_PREFIX'), client }) }),
);
