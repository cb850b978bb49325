import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsPipelineControl } from '../../../core/aws/aws-pipeline-control';
import { NotFoundError } from '../../../core/errors';

const cloudFormation = new CloudFormationClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(cloudFormation);
const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Retraining';

beforeEach(() => mock.reset());

describe('createAwsPipelineControl', () => {
  it('finds the state machine in the default stack outputs', async () => {
    mock.on(DescribeStacksCommand, { StackName: 'ImageSearch' }).resolves({
      Stacks: [{ StackName: 'ImageSearch', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: machine }] }],
    });
    const control = await createAwsPipelineControl({ cloudFormation });
    expect(control.mode).toBe('aws');
    expect(control.stateMachineArn).toBe(machine);
  });

  it('uses a given state machine ARN without reading any stack', async () => {
    const control = await createAwsPipelineControl({ stateMachineArn: machine, cloudFormation });
    expect(control.stateMachineArn).toBe(machine);
    expect(mock.calls()).toHaveLength(0);
    // Without the stack outputs the teardown has nothing to work on, and says what to pass.
    await expect(control.planTeardown()).rejects.toThrow(/pass --stack/);
  });

  it('fails with the missing stack named when there is no ARN to fall back on', async () => {
    mock.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', message: 'Stack with id Other does not exist', $metadata: {} }));
    await expect(createAwsPipelineControl({ stackName: 'Other', cloudFormation })).rejects.toThrow(NotFoundError);
  });
});
