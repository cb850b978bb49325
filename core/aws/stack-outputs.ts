/**
 * The deployed stack's CloudFormation outputs the operator commands need (infra/image-search-stack.ts writes them), so
 * `--stack ImageSearch` is enough to find the state machine, the dataset group, the domain and the schedule rule.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { NotFoundError, ValidationError } from '../errors';
import { STACK_NAME } from '../stack-name';
import { errorMessage, errorName } from './retry';

export interface StackOutputs {
  readonly stateMachineArn: string;
  readonly datasetGroupArn?: string;
  /** Host name without scheme, as CloudFormation gives `Domain.DomainEndpoint`. */
  readonly domainEndpoint?: string;
  /** OpenSearchVectorIndex's prefix: index name = prefix + generation. */
  readonly indexPrefix?: string;
  /** The alias serving reads through. */
  readonly indexAlias?: string;
  readonly scheduleRuleName?: string;
}

/** Output key of each field, as `new CfnOutput(this, key, ...)` names it in the stack. */
export const STACK_OUTPUT_KEYS: Readonly<Record<keyof StackOutputs, string>> = {
  stateMachineArn: 'StateMachineArn',
  datasetGroupArn: 'DatasetGroupArn',
  domainEndpoint: 'DomainEndpoint',
  indexPrefix: 'IndexPrefix',
  indexAlias: 'IndexAlias',
  scheduleRuleName: 'ScheduleRuleName',
};

export interface ReadStackOutputsProps {
  readonly stackName: string;
  /** @default new CloudFormationClient({ region }) */
  readonly client?: Pick<CloudFormationClient, 'send' | 'config'>;
  /** @default the SDK's (AWS_REGION or the profile's) */
  readonly region?: string;
}

const FIX = 'deploy it (npx cdk deploy) or pass --state-machine <ARN>';

export async function readStackOutputs(props: ReadStackOutputsProps): Promise<StackOutputs> {
  if (typeof props.stackName !== 'string' || !STACK_NAME.test(props.stackName)) {
    throw new ValidationError(`stack name ${JSON.stringify(props.stackName)} is invalid: letters, digits and "-", starting with a letter`, { field: 'stackName' });
  }
  const client = props.client ?? new CloudFormationClient(props.region !== undefined ? { region: props.region } : {});
  const missing = async (cause?: unknown): Promise<NotFoundError> =>
    new NotFoundError(`CloudFormation stack "${props.stackName}" does not exist in ${await regionOf(client, props.region)}: ${FIX}`, cause === undefined ? undefined : { cause });
  let stack;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: props.stackName }))).Stacks?.[0];
  } catch (error) {
    // CloudFormation answers an unknown stack with a generic ValidationError whose message says so.
    if ((errorName(error) === 'ValidationError' && /does not exist/.test(errorMessage(error))) || errorName(error) === 'StackNotFoundException') {
      throw await missing(error);
    }
    throw error;
  }
  if (stack === undefined) throw await missing();
  const values = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const stateMachineArn = values.get(STACK_OUTPUT_KEYS.stateMachineArn);
  if (!stateMachineArn) {
    throw new NotFoundError(
      `CloudFormation stack "${props.stackName}" (status ${stack.StackStatus ?? 'unknown'}) has no ${STACK_OUTPUT_KEYS.stateMachineArn} output: ` +
        `is it the image search stack, and did its deployment finish? ${FIX}`,
    );
  }
  const out: Record<string, string> = { stateMachineArn };
  for (const [field, key] of Object.entries(STACK_OUTPUT_KEYS)) {
    const value = values.get(key);
    if (value) out[field] = value;
  }
  return out as unknown as StackOutputs;
}

async function regionOf(client: Pick<CloudFormationClient, 'config'>, region: string | undefined): Promise<string> {
  if (region !== undefined) return region;
  try {
    return await client.config.region();
  } catch {
    return 'the default region';
  }
}
