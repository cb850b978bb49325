import { App, Stack } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_SETTINGS } from '../../state-machines/pipeline-settings';
import type { PipelineSettings } from '../../state-machines/pipeline-settings';
import { parseDefinitionString, renderRetrainingDefinition } from '../../state-machines/render-definition';
import type { AslDefinition } from '../../state-machines/render-definition';
import { RetrainingStateMachine } from '../../state-machines/retraining-state-machine';

const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
) => { isValid: boolean; errors: { message?: string; path?: string }[] };

const SETTINGS: PipelineSettings = { ...DEFAULT_PIPELINE_SETTINGS, k: 12, maxPollAttempts: 30, pollIntervalSeconds: 45, embedBatchSize: 25 };

function makeStack(options: { region?: string; settings?: PipelineSettings; prefix?: string; bundle?: boolean; userHistory?: boolean } = {}): { stack: Stack; machine: RetrainingStateMachine } {
  // Only the main stack bundles the Lambdas (the slow part); stacks built to check validation skip it.
  const app = new App(options.bundle === true ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'PipelineTest', { env: { account: '123456789012', region: options.region ?? 'us-east-1' } });
  const bucket = new s3.Bucket(stack, 'Data');
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-images-abc.us-east-1.es.amazonaws.com');
  const personalizeRole = new iam.Role(stack, 'PersonalizeRole', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
  const userHistoryTable = options.userHistory === false ? undefined : new dynamodb.Table(stack, 'UserHistory', { partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING } });
  const machine = new RetrainingStateMachine(stack, 'Retraining', {
    dataBucket: bucket,
    domain,
    datasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/images',
    interactionsDatasetArn: 'arn:aws:personalize:us-east-1:123456789012:dataset/images/INTERACTIONS',
    personalizeRole,
    settings: options.settings ?? SETTINGS,
    servingParameterPrefix: options.prefix ?? '/image-search/serving',
    ...(userHistoryTable && { userHistoryTable }),
  });
  return { stack, machine };
}

// GIVEN one stack, synthesized once for the whole file (bundling the Lambdas is the slow part)
const { stack, machine } = makeStack({ bundle: true });
const template = Template.fromStack(stack);
const [machineResource] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as { Properties: Record<string, unknown> }[];
const definition: AslDefinition = parseDefinitionString(machineResource?.Properties.DefinitionString, {
  region: 'us-east-1', account: '123456789012', partition: 'aws',
});
const states = definition.States;
const state = (name: string): Record<string, unknown> => {
  const found = states[name];
  if (!found) throw new Error(`no state "${name}"; states: ${Object.keys(states).join(', ')}`);
  return found;
};
const mainStates = (): [string, Record<string, unknown>][] => Object.entries(states);

describe('RetrainingStateMachine definition', () => {
  it('passes asl-validator', () => {
    const result = aslValidator(JSON.parse(JSON.stringify(definition)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('renders the same definition from the construct as from the synthesized template', () => {
    expect(renderRetrainingDefinition(machine)).toEqual(definition);
  });

  it('starts with the guard and uses JSONPath throughout', () => {
    expect(definition.StartAt).toBe('Check no other run');
    expect(JSON.stringify(definition)).not.toMatch(/JSONata/);
    expect(state('Check no other run').Next).toBe('Plan run keys');
    expect(state('Check no other run')).toMatchObject({ Parameters: { 'input.$': '$', qualityTolerance: SETTINGS.qualityTolerance }, ResultPath: '$.run' });
  });

  it('fans out over the manifest with a Distributed Map, an S3 JSONL reader and an item batcher', () => {
    const map = state('Embed images');
    expect(map.Type).toBe('Map');
    expect(map).toMatchObject({
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Embed batch' },
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Key: 'images/manifest.jsonl' } },
      ItemBatcher: { MaxItemsPerBatch: 25, BatchInput: { 'generation.$': '$.run.generation' } },
      MaxConcurrency: SETTINGS.maxConcurrency,
      ToleratedFailurePercentage: SETTINGS.toleratedFailurePercentage,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject' },
    });
  });

  it('trains K-Means and assigns clusters with the two SageMaker .sync jobs on the region\'s built-in image', () => {
    const train = state('Train K-Means');
    expect(train.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(train.Parameters).toMatchObject({
      AlgorithmSpecification: { TrainingImage: '382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1', TrainingInputMode: 'File' },
      HyperParameters: { k: '12', feature_dim: '1024', 'mini_batch_size.$': '$.kmeansInput.miniBatchSize' },
      InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv;label_size=0', DataSource: { S3DataSource: { 'S3Uri.$': '$.keys.kmeansTrainUri' } } }],
      ResourceConfig: { InstanceType: 'ml.m5.large' },
    });
    expect(state('Create K-Means model').Resource).toBe('arn:aws:states:::sagemaker:createModel');
    const transform = state('Assign clusters');
    expect(transform.Resource).toBe('arn:aws:states:::sagemaker:createTransformJob.sync');
    expect(transform.Parameters).toMatchObject({
      TransformInput: { ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { Accept: 'application/jsonlines', AssembleWith: 'Line' },
    });
    expect(train.Next).toBe('Create K-Means model');
    expect(state('Create K-Means model').Next).toBe('Assign clusters');
    expect(transform.Next).toBe('Write cluster assignments');
  });

  it('drives Personalize through SDK integrations', () => {
    const resources = Object.fromEntries(mainStates().map(([name, s]) => [name, s.Resource]));
    expect(resources).toMatchObject({
      'Import interactions': 'arn:aws:states:::aws-sdk:personalize:createDatasetImportJob',
      'Describe import': 'arn:aws:states:::aws-sdk:personalize:describeDatasetImportJob',
      'Create event tracker': 'arn:aws:states:::aws-sdk:personalize:createEventTracker',
      'Create solution': 'arn:aws:states:::aws-sdk:personalize:createSolution',
      'Train solution version': 'arn:aws:states:::aws-sdk:personalize:createSolutionVersion',
      'Describe solution version': 'arn:aws:states:::aws-sdk:personalize:describeSolutionVersion',
      'Create campaign': 'arn:aws:states:::aws-sdk:personalize:createCampaign',
      'Update campaign': 'arn:aws:states:::aws-sdk:personalize:updateCampaign',
      'Describe campaign': 'arn:aws:states:::aws-sdk:personalize:describeCampaign',
    });
    expect(state('Create solution').Parameters).toMatchObject({ PerformAutoTraining: false });
    // An existing campaign is updated, not recreated.
    expect(state('Create campaign').Catch).toContainEqual(expect.objectContaining({ ErrorEquals: ['Personalize.ResourceAlreadyExistsException'], Next: 'Update campaign' }));
  });

  it.each([
    ['dataset import', 'Describe import', 'Dataset import', 'PersonalizeImportFailed'],
    ['solution version training', 'Describe solution version', 'Solution version training', 'PersonalizeTrainingFailed'],
    ['campaign deployment', 'Describe campaign', 'Campaign deployment', 'PersonalizeCampaignFailed'],
  ])('polls the %s with Wait and Choice, bounded by maxPollAttempts', (subject, describeName, title, failedError) => {
    expect(state(`Start ${subject} polling`).Next).toBe(`Wait for ${subject}`);
    expect(state(`Wait for ${subject}`)).toMatchObject({ Type: 'Wait', Seconds: 45, Next: describeName });
    expect(state(describeName).Next).toBe(`${title} ready?`);
    const ready = state(`${title} ready?`);
    expect(ready.Type).toBe('Choice');
    expect(ready.Default).toBe(`Count ${subject} poll`);
    expect(state(`Count ${subject} poll`).Next).toBe(`${title} polls left?`);
    const left = state(`${title} polls left?`);
    expect(left).toMatchObject({ Type: 'Choice', Default: `Wait for ${subject}` });
    expect(left.Choices).toEqual([expect.objectContaining({ NumericGreaterThanEquals: 30, Next: `${title} polls exhausted` })]);
    expect(state(`${title} polls exhausted`)).toMatchObject({ Parameters: { Error: 'PollAttemptsExceeded' }, ResultPath: '$.error', Next: 'Publish failure event' });
    expect(state(`${title} failed`)).toMatchObject({ Parameters: { Error: failedError }, Next: 'Publish failure event' });
  });

  it('swaps the alias and publishes the generation in one step, after indexing and before cleanup', () => {
    expect(state('Index images').Next).toBe('Publish generation');
    const publish = state('Publish generation');
    expect(publish.Parameters).toMatchObject({
      alias: SETTINGS.alias,
      clusterCount: 12,
      'campaignArn.$': '$.campaign.arn',
      'trackingId.$': '$.tracker.trackingId',
      'generation.$': '$.run.generation',
      'usersKey.$': '$.keys.usersKey',
    });
    expect(publish.Next).toBe('Clean up generations');
    expect(state('Clean up generations').Next).toBe('Publish success event');
    expect(state('Publish success event')).toMatchObject({ Resource: 'arn:aws:states:::events:putEvents', Next: 'Retraining succeeded' });
  });

  it('checks the new solution version against the serving one after training and before the campaign', () => {
    // GIVEN the version poll's exit WHEN the gate runs THEN it reads both versions' metrics, then decides.
    expect(state('Solution version training ready').Next).toBe('Get candidate metrics');
    expect(state('Get candidate metrics')).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:personalize:getSolutionMetrics',
      Parameters: { 'SolutionVersionArn.$': '$.solutionVersion.arn' },
      ResultSelector: { 'metrics.$': '$.Metrics' },
      ResultPath: '$.candidateMetrics',
      Next: 'Find serving model',
    });
    const find = state('Find serving model');
    expect(find).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:personalize:describeCampaign',
      Parameters: { CampaignArn: 'arn:aws:personalize:us-east-1:123456789012:campaign/image-search-style-ranking' },
      ResultSelector: { 'solutionVersionArn.$': '$.Campaign.SolutionVersionArn' },
      ResultPath: '$.servingModel',
      Next: 'Get serving metrics',
    });
    // No campaign yet (the first run): nothing to compare with.
    expect((find.Catch as unknown[])[0]).toEqual({ ErrorEquals: ['Personalize.ResourceNotFoundException'], Next: 'Nothing serving yet', ResultPath: null });
    expect(state('Nothing serving yet')).toMatchObject({ Type: 'Pass', Result: { metrics: null }, ResultPath: '$.servingMetrics', Next: 'Check model quality' });
    expect(state('Get serving metrics')).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:personalize:getSolutionMetrics',
      Parameters: { 'SolutionVersionArn.$': '$.servingModel.solutionVersionArn' },
      ResultPath: '$.servingMetrics',
      Next: 'Check model quality',
    });
    expect(state('Check model quality')).toMatchObject({
      Parameters: {
        step: 'Check model quality',
        'generation.$': '$.run.generation',
        'candidateMetrics.$': '$.candidateMetrics.metrics',
        'servingMetrics.$': '$.servingMetrics.metrics',
        // The guard step puts the configured tolerance, or the execution input's, in $.run.
        'tolerance.$': '$.run.qualityTolerance',
      },
      ResultPath: '$.quality',
      Next: 'Publish quality event',
    });
    expect(state('Publish quality event')).toMatchObject({
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [{
          DetailType: 'Model Quality Checked',
          Source: SETTINGS.eventSource,
          Detail: {
            'execution.$': '$$.Execution.Id',
            'generation.$': '$.quality.verdict.generation',
            'passed.$': '$.quality.verdict.passed',
            'candidate.$': '$.quality.verdict.candidate',
            'serving.$': '$.quality.verdict.serving',
            'tolerance.$': '$.quality.verdict.tolerance',
            'reasons.$': '$.quality.verdict.reasons',
          },
        }],
      },
      ResultPath: null,
      Next: 'Model good enough?',
    });
  });

  it('deploys a good enough model, and ends a rejected one at its own Fail state before the campaign, index and alias', () => {
    const choice = state('Model good enough?');
    expect(choice).toMatchObject({ Type: 'Choice', Default: 'Model rejected' });
    expect(choice.Choices).toEqual([{ Variable: '$.quality.verdict.passed', BooleanEquals: true, Next: 'Create campaign' }]);
    expect(state('Model rejected')).toEqual({ Type: 'Fail', Error: 'ModelRejected', CausePath: '$.quality.cause' });
    // The campaign (and after it the index and the alias swap) is reached only through the Choice.
    const leadsTo = (target: string) => mainStates().filter(([, s]) => JSON.stringify(s).includes(`"${target}"`)).map(([name]) => name);
    expect(leadsTo('Create campaign')).toEqual(['Model good enough?']);
    expect(leadsTo('Get candidate metrics')).toEqual(['Solution version training ready']);
    expect(state('Campaign deployment ready').Next).toBe('Index images');
    expect(state('Publish success event')).toMatchObject({ Parameters: { Entries: [{ Detail: { 'quality.$': '$.quality.verdict' } }] } });
  });

  it('lets the gate read metrics of this solution\'s versions and describe only its campaign', () => {
    const statementsFor = (action: string) => {
      const found: { Resource: unknown }[] = [];
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[]) {
        for (const statement of policy.Properties.PolicyDocument.Statement) if (([] as string[]).concat(statement.Action).includes(action)) found.push(statement);
      }
      return found;
    };
    const resources = (action: string) => JSON.stringify(statementsFor(action).map((s) => s.Resource));
    // The two metric reads share one statement (CDK merges identical ones).
    expect(statementsFor('personalize:GetSolutionMetrics')).toHaveLength(1);
    expect(resources('personalize:GetSolutionMetrics')).toMatch(/:solution\/image-search-style-ranking\/\*"/);
    expect(resources('personalize:GetSolutionMetrics')).not.toMatch(/"\*"|campaign/);
    expect(resources('personalize:DescribeCampaign')).toMatch(/:campaign\/image-search-style-ranking"/);
    expect(resources('personalize:DescribeCampaign')).not.toMatch(/"\*"|:campaign\/\*/);
  });

  it('catches every failure of the main chain into the failure event, which ends in Fail', () => {
    const withResource = mainStates().filter(([, s]) => s.Type === 'Task' || s.Type === 'Map').filter(([name]) => name !== 'Publish failure event');
    expect(withResource.length).toBeGreaterThan(20);
    for (const [name, s] of withResource) {
      const catches = (s.Catch ?? []) as { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
      const last = catches[catches.length - 1];
      expect({ name, last }).toEqual({ name, last: { ErrorEquals: ['States.ALL'], Next: 'Publish failure event', ResultPath: '$.error' } });
    }
    expect(state('Publish failure event')).toMatchObject({ Resource: 'arn:aws:states:::events:putEvents', Next: 'Retraining failed' });
    expect(state('Retraining failed')).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  it('retries throttling with backoff on every task', () => {
    for (const [name, s] of mainStates().filter(([, s]) => s.Type === 'Task')) {
      const retries = (s.Retry ?? []) as { ErrorEquals: string[]; BackoffRate?: number }[];
      expect({ name, throttling: retries.some((r) => r.ErrorEquals.includes('ThrottlingException') && (r.BackoffRate ?? 1) > 1) }).toEqual({ name, throttling: true });
    }
  });
});

describe('RetrainingStateMachine resources', () => {
  it('is a Standard state machine with logging and tracing on', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('lets the guard list executions of this state machine only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'states:ListExecutions',
          Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':stateMachine:')])] },
        })]),
      },
    });
  });

  it('grants no IAM action with a wildcard service-wide', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }[]) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of ([] as string[]).concat(statement.Action)) expect(action).not.toMatch(/^\*$|:\*$/);
      }
    }
  });

  it('gives SageMaker its own role, not AmazonSageMakerFullAccess', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AmazonSageMakerFullAccess/);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] }),
    });
  });

  it('hands the trained-users key from "Plan run keys" to the rewrite and publish steps', () => {
    expect(state('Plan run keys')).toMatchObject({ Parameters: { 'usersKey.$': "States.Format('personalize/{}/users.txt', $.run.generation)" } });
    expect(state('Rewrite interactions').Parameters).toMatchObject({ 'usersKey.$': '$.keys.usersKey' });
  });

  it("lets only the publish function BatchWriteItem on the user-history table, and names the table in its environment", () => {
    const tableId = stack.getLogicalId(stack.node.findChild('UserHistory').node.defaultChild as dynamodb.CfnTable);
    const publishFn = machine.functions.publishGeneration.node.defaultChild as CfnResource;
    const publishRoleId = stack.getLogicalId(machine.functions.publishGeneration.role?.node.defaultChild as iam.CfnRole);
    const dynamoStatements: { roles: unknown; statement: { Action: unknown; Resource: unknown } }[] = [];
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { Roles: unknown; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[]) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (([] as string[]).concat(statement.Action).some((action) => action.startsWith('dynamodb:'))) dynamoStatements.push({ roles: policy.Properties.Roles, statement });
      }
    }
    expect(dynamoStatements).toEqual([{ roles: [{ Ref: publishRoleId }], statement: expect.objectContaining({ Action: 'dynamodb:BatchWriteItem', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }) }]);
    const fnProps = template.toJSON().Resources[stack.getLogicalId(publishFn)].Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fnProps.Environment.Variables['USER_HISTORY_TABLE']).toEqual({ Ref: tableId });
    // It reads the users file "Rewrite interactions" wrote, and nothing else under personalize/.
    const publishReads = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: publishRoleId }] } }));
    expect(publishReads).toContain('/personalize/*/users.txt');
    expect(publishReads).not.toContain('/personalize/*"');
  });

  it('marks no users without a user-history table: no DynamoDB grant, no table variable', () => {
    const bare = Template.fromStack(makeStack({ userHistory: false }).stack);
    expect(JSON.stringify(bare.toJSON())).not.toMatch(/dynamodb:|USER_HISTORY_TABLE/);
  });

  it('runs nine task functions on the latest Node.js runtime with tracing', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { TracingConfig: { Mode: 'Active' } } });
    expect(Object.keys(functions)).toHaveLength(9);
    for (const fn of Object.values(functions) as { Properties: { Runtime: string } }[]) expect(fn.Properties.Runtime).toBe('nodejs26.x');
  });
});

describe('RetrainingStateMachine validation', () => {
  it('fails synth for a region without a known K-Means image', () => {
    expect(() => makeStack({ region: 'mars-north-1', settings: SETTINGS })).toThrow(/no SageMaker K-Means image is known for region "mars-north-1"/);
  });

  it('fails synth naming the invalid setting', () => {
    expect(() => makeStack({ settings: { ...SETTINGS, k: 1 } })).toThrow(/pipeline setting k = 1 is invalid/);
  });

  it('fails synth for a parameter prefix that is not an SSM path', () => {
    expect(() => makeStack({ prefix: 'image-search/' })).toThrow(/servingParameterPrefix "image-search\/" is invalid/);
  });
});
