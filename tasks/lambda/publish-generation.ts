import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbUserHistory } from '../../core/aws/dynamodb-user-history';
import { SsmGenerationPublisher } from '../../core/aws/ssm-generation-publisher';
import { makePublishGenerationHandler } from '../publish-generation';
import { dataStore, env, region, vectorIndex } from './environment';
import { instrument, tracer } from './instrument';

const client = tracer.captureAWSv3Client(new SSMClient({ region: region() }));
// Set only when the stack wires serving's user-history table in; without it no trained users are marked.
const userHistoryTable = process.env['USER_HISTORY_TABLE'];
const marking =
  userHistoryTable === undefined || userHistoryTable === ''
    ? {}
    : {
        userHistory: new DynamoDbUserHistory({ tableName: userHistoryTable, client: tracer.captureAWSv3Client(new DynamoDBClient({ region: region() })) }),
        store: dataStore(),
      };
export const handler = instrument(
  'Publish generation',
  makePublishGenerationHandler({ index: vectorIndex(), publisher: new SsmGenerationPublisher({ prefix: env('PARAMETER_PREFIX'), client }), ...marking }),
);
