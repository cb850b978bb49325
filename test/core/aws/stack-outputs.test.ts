import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readStackOutputs } from '../../../core/aws/stack-outputs';
import { NotFoundError, ValidationError } from '../../../core/errors';

const client = new CloudFormationClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);
const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Retraining';

const stack = (outputs: Record<string, string>) => ({
  Stacks: [{
    StackName: 'ImageSearch',
    StackStatus: 'UPDATE_COMPLETE' as const,
    CreationTime: new Date(0),
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  }],
});

beforeEach(() => mock.reset());

describe('readStackOutputs', () => {
  it('reads the outputs the operator needs from DescribeStacks', async () => {
    mock.on(DescribeStacksCommand, { StackName: 'ImageSearch' }).resolves(stack({
      StateMachineArn: machine,
      DatasetGroupArn: 'arn:aws:personalize:eu-west-1:123456789012:dataset-group/image-search-styles',
      DomainEndpoint: 'search-vectors-abc.eu-west-1.es.amazonaws.com',
      IndexPrefix: 'images-',
      IndexAlias: 'images',
      ScheduleRuleName: 'ImageSearch-ScheduleRule-1',
      ApiUrl: 'https://example.execute-api.eu-west-1.amazonaws.com/prod/',
    }));

    expect(await readStackOutputs({ stackName: 'ImageSearch', client })).toEqual({
      stateMachineArn: machine,
      datasetGroupArn: 'arn:aws:personalize:eu-west-1:123456789012:dataset-group/image-search-styles',
      domainEndpoint: 'search-vectors-abc.eu-west-1.es.amazonaws.com',
      indexPrefix: 'images-',
      indexAlias: 'images',
      scheduleRuleName: 'ImageSearch-ScheduleRule-1',
    });
  });

  it('leaves out optional outputs an older stack does not have', async () => {
    mock.on(DescribeStacksCommand).resolves(stack({ StateMachineArn: machine }));
    expect(await readStackOutputs({ stackName: 'ImageSearch', client })).toEqual({ stateMachineArn: machine });
  });

  it('says which stack and region are missing and how to fix it', async () => {
    mock.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({
      name: 'ValidationError', $fault: 'client', message: 'Stack with id Nope does not exist', $metadata: {},
    }));
    const error = await readStackOutputs({ stackName: 'Nope', client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe('CloudFormation stack "Nope" does not exist in eu-west-1: deploy it (npx cdk deploy) or pass --state-machine <ARN>');
  });

  it('refuses a stack without the StateMachineArn output, naming its status', async () => {
    mock.on(DescribeStacksCommand).resolves(stack({ ApiUrl: 'https://x' }));
    await expect(readStackOutputs({ stackName: 'ImageSearch', client })).rejects.toThrow(/"ImageSearch" \(status UPDATE_COMPLETE\) has no StateMachineArn output/);
  });

  it('passes other CloudFormation errors through', async () => {
    mock.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not allowed', $metadata: {} }));
    await expect(readStackOutputs({ stackName: 'ImageSearch', client })).rejects.toThrow('not allowed');
  });

  it('refuses a stack name CloudFormation would not accept, before any call', async () => {
    await expect(readStackOutputs({ stackName: 'image search', client })).rejects.toThrow(ValidationError);
    expect(mock.calls()).toHaveLength(0);
  });
});
