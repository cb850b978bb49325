import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACK_CONFIG } from '../../infra/config';
import { DataBucket } from '../../infra/constructs/data-bucket';
import { PersonalizeResources } from '../../infra/constructs/personalize-resources';
import { RetrainingSchedule } from '../../infra/constructs/retraining-schedule';
import { ServingApi } from '../../infra/constructs/serving-api';
import { VectorDomain } from '../../infra/constructs/vector-domain';

// Skips Lambda bundling (esbuild + npm install of sharp): these tests look at the template, not the code asset.
const newStack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });

/** One stack holding every construct, synthesized once for the whole file (synth is the slow part). */
let template: Template;
beforeAll(() => {
  const stack = newStack();
  const data = new DataBucket(stack, 'Data', { retain: true });
  data.allowPersonalizeRead(['personalize/'], stack.account);
  const vectors = new VectorDomain(stack, 'Vectors', { config: DEFAULT_STACK_CONFIG.domain, retain: false, logRetention: logs.RetentionDays.ONE_MONTH });
  new PersonalizeResources(stack, 'Personalize', { namePrefix: 'image-search', bucket: data.bucket, importPrefixes: ['personalize/'] });
  const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Noop')) });
  new RetrainingSchedule(stack, 'Schedule', { stateMachine: machine, expression: 'cron(0 3 ? * SUN *)' });
  new ServingApi(stack, 'Serving', {
    domain: vectors.domain,
    config: DEFAULT_STACK_CONFIG.serving,
    parameterPrefix: '/image-search/serving',
    indexPrefix: 'images-',
    alias: 'images',
    embeddingLength: 1024,
    campaignName: 'style-ranking',
    logRetention: logs.RetentionDays.ONE_MONTH,
    retainData: false,
  });
  template = Template.fromStack(stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
function statementsOf(template: Template, policyIdPrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(policyIdPrefix))
    .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}
const actions = (statements: Statement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe('DataBucket', () => {
  it('GIVEN the data bucket WHEN synthesized THEN it is encrypted, SSL-only, private and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'data/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'PersonalizeReadsImports', Principal: { Service: 'personalize.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
        ]),
      },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });
});

describe('VectorDomain', () => {
  it('GIVEN the domain config WHEN synthesized THEN it encrypts at rest and in transit, HTTPS only, with no access policy', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
      EngineVersion: 'OpenSearch_2.19',
      ClusterConfig: Match.objectLike({ InstanceType: 'r7g.large.search', InstanceCount: 2, ZoneAwarenessEnabled: true }),
      AccessPolicies: Match.absent(),
    });
    // The logs resource policy is a plain resource, not a custom-resource Lambda (the only Lambdas are the two serving ones).
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });
});

describe('PersonalizeResources', () => {
  it('GIVEN the bucket WHEN synthesized THEN the dataset group, schema and interactions dataset exist and the role reads only the import prefix', () => {
    template.hasResourceProperties('AWS::Personalize::DatasetGroup', { Name: 'image-search-styles' });
    template.hasResourceProperties('AWS::Personalize::Dataset', { DatasetType: 'Interactions' });
    const schema = JSON.parse(template.findResources('AWS::Personalize::Schema')[Object.keys(template.findResources('AWS::Personalize::Schema'))[0] as string]?.Properties.Schema);
    expect(schema.fields.map((f: { name: string }) => f.name)).toEqual(['USER_ID', 'ITEM_ID', 'TIMESTAMP', 'EVENT_TYPE']);
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'personalize.amazonaws.com' } })] } });
    const statements = statementsOf(template, 'PersonalizeRole');
    expect(actions(statements)).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(statements)).toContain('/personalize/*');
    expect(JSON.stringify(statements)).not.toContain('"Resource":"*"');
  });

  it('fails synth on an import prefix without a trailing slash', () => {
    const stack = newStack();
    const data = new DataBucket(stack, 'Data', { retain: true });
    expect(() => new PersonalizeResources(stack, 'P', { namePrefix: 'x', bucket: data.bucket, importPrefixes: ['personalize'] })).toThrow(/importPrefixes entry "personalize"/);
  });
});

describe('RetrainingSchedule', () => {
  it('GIVEN a state machine WHEN scheduled THEN the rule targets it with the default input and retries the start', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 ? * SUN *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('Machine') }, Input: '{}', RetryPolicy: { MaximumRetryAttempts: 3 } })],
    });
    const statements = statementsOf(template, 'MachineEventsRole');
    expect(statements).toEqual([expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: expect.stringMatching(/^Machine/) } })]);
  });

  it('fails synth on an expression that is neither rate nor cron', () => {
    const stack = newStack();
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Noop')) });
    expect(() => new RetrainingSchedule(stack, 'Schedule', { stateMachine: machine, expression: 'weekly' })).toThrow(/expression "weekly"/);
  });
});

describe('ServingApi', () => {
  it('runs both Lambdas on the newest Node.js runtime with tracing and the serving settings', () => {
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs26.x', TracingConfig: { Mode: 'Active' } }, 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SERVING_PARAMETER_PREFIX: '/image-search/serving', INDEX_PREFIX: 'images-', EMBEDDING_LENGTH: '1024', DEFAULT_WEIGHT: '0.5' }) },
    });
  });

  it('requires an API key on every method and validates requests', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as { Properties: { HttpMethod: string; ApiKeyRequired?: boolean; RequestValidatorId?: unknown } }[];
    const routed = methods.filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(routed).toHaveLength(4);
    expect(routed.every((m) => m.Properties.ApiKeyRequired === true && m.Properties.RequestValidatorId !== undefined)).toBe(true);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ['userId', 'imageId', 'eventType'] }) });
  });

  it('throttles the stage and the usage plan and bounds the daily quota', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'ERROR' })],
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 50, BurstLimit: 100 }, Quota: { Limit: 100000, Period: 'DAY' } });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });

  it('gives each Lambda only the actions its route needs, on named resources', () => {
    const search = actions(statementsOf(template, 'ServingSearchRole'));
    const events = actions(statementsOf(template, 'ServingEventsRole'));
    expect(search).toEqual(['bedrock:InvokeModel', 'dynamodb:GetItem', 'es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'logs:CreateLogStream', 'logs:PutLogEvents', 'personalize:GetPersonalizedRanking', 'ssm:GetParameters', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(events).toEqual(['dynamodb:UpdateItem', 'es:ESHttpGet', 'logs:CreateLogStream', 'logs:PutLogEvents', 'personalize:PutEvents', 'ssm:GetParameters', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    for (const statement of [...statementsOf(template, 'ServingSearchRole'), ...statementsOf(template, 'ServingEventsRole')]) {
      const list = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      expect(list.some((a) => a.includes('*'))).toBe(false);
      // Only X-Ray, which has no resource-level permissions, may use Resource "*".
      if (statement.Resource === '*') expect(list.every((a) => a.startsWith('xray:'))).toBe(true);
    }
    const ssm = statementsOf(template, 'ServingSearchRole').find((s) => s.Action === 'ssm:GetParameters');
    expect(JSON.stringify(ssm?.Resource)).toContain('parameter/image-search/serving/generation');
    expect((ssm?.Resource as unknown[]).length).toBe(6);
    const rank = statementsOf(template, 'ServingSearchRole').find((s) => s.Action === 'personalize:GetPersonalizedRanking');
    expect(JSON.stringify(rank?.Resource)).toContain(':campaign/style-ranking');
  });

  it('keeps the user history table pay-per-request with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});
