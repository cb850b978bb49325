/**
 * Builds the AWS PipelineControl from what the operator names: a stack (its outputs give the state machine, dataset
 * group, domain, index names and schedule rule) or a state machine ARN. The clients are built as the pipeline's own
 * Lambdas build them (tasks/lambda/environment.ts): SDK default credentials, SigV4-signed OpenSearch.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_STACK_NAME } from '../stack-name';
import { createOpenSearchClient, OpenSearchVectorIndex } from './opensearch-vector-index';
import { AwsPersonalizeAdmin } from './personalize-admin';
import { readStackOutputs } from './stack-outputs';
import type { StackOutputs } from './stack-outputs';
import { validateStateMachineArn } from './step-functions-executions';
import { StepFunctionsPipelineControl } from './step-functions-pipeline-control';

export interface AwsPipelineControlOptions {
  /** Read its outputs; also read when a state machine ARN is given, for the teardown's resources. @default 'ImageSearch' unless stateMachineArn is given */
  readonly stackName?: string;
  /** Skips the stack read when no stackName is given; then the teardown has nothing to work on. */
  readonly stateMachineArn?: string;
  /** @default the state machine ARN's region, else the SDK's (AWS_REGION or the profile's) */
  readonly region?: string;
  /** Injected for tests. @default new CloudFormationClient({ region }) */
  readonly cloudFormation?: Pick<CloudFormationClient, 'send' | 'config'>;
}

export async function createAwsPipelineControl(options: AwsPipelineControlOptions = {}): Promise<StepFunctionsPipelineControl> {
  const outputs: Partial<StackOutputs> =
    options.stateMachineArn === undefined || options.stackName !== undefined
      ? await readStackOutputs({
          stackName: options.stackName ?? DEFAULT_STACK_NAME,
          ...(options.region !== undefined && { region: options.region }),
          ...(options.cloudFormation !== undefined && { client: options.cloudFormation }),
        })
      : {};
  const stateMachineArn = validateStateMachineArn(options.stateMachineArn ?? (outputs.stateMachineArn as string));
  // arn:aws:states:<region>:<account>:stateMachine:<name>: the machine's region is where its schedule and data live.
  const region = options.region ?? (stateMachineArn.split(':')[3] as string);
  const index =
    outputs.domainEndpoint !== undefined && outputs.indexPrefix !== undefined
      ? new OpenSearchVectorIndex({
          // CloudFormation's DomainEndpoint is a host name without the scheme.
          client: createOpenSearchClient({ endpoint: withScheme(outputs.domainEndpoint), region }),
          indexPrefix: outputs.indexPrefix,
        })
      : undefined;
  return new StepFunctionsPipelineControl({
    stateMachineArn,
    sfn: new SFNClient({ region }),
    eventBridge: new EventBridgeClient({ region }),
    ...(outputs.scheduleRuleName !== undefined && { scheduleRuleName: outputs.scheduleRuleName }),
    personalize: new AwsPersonalizeAdmin({ region }),
    ...(outputs.datasetGroupArn !== undefined && { datasetGroupArn: outputs.datasetGroupArn }),
    ...(index !== undefined && { index }),
    ...(outputs.indexAlias !== undefined && { alias: outputs.indexAlias }),
  });
}

function withScheme(endpoint: string): string {
  return /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
}
