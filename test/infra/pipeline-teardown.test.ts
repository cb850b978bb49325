import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACK_CONFIG } from '../../infra/config';
import { PipelineTeardown } from '../../infra/constructs/pipeline-teardown';
import type { PipelineTeardownProps } from '../../infra/constructs/pipeline-teardown';
import { ImageSearchStack } from '../../infra/image-search-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown };

// Bundling is skipped: these tests read the template, not the code asset.
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

let resources: Record<string, Resource>;
let template: Template;
let teardownId: string;
let policyStatements: Statement[];

const idsOf = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type).map(([id]) => id);

beforeAll(() => {
  const stack = new ImageSearchStack(newApp(), 'ImageSearch', { config: DEFAULT_STACK_CONFIG });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  teardownId = idsOf('Custom::PipelineTeardown')[0] as string;
  const roleId = stack.getLogicalId(stack.teardown.function.role?.node.defaultChild as never);
  policyStatements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}, 60_000);

describe('PipelineTeardown in ImageSearchStack', () => {
  it('has one teardown custom resource given the dataset group and the alias', () => {
    expect(idsOf('Custom::PipelineTeardown')).toHaveLength(1);
    template.hasResourceProperties('Custom::PipelineTeardown', {
      ServiceToken: Match.anyValue(),
      DatasetGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatasetGroup'), 'DatasetGroupArn'] },
      Alias: DEFAULT_STACK_CONFIG.pipeline.alias,
      KeepIndex: String(DEFAULT_STACK_CONFIG.retainData),
    });
  });

  it('depends on the bucket, the domain, the dataset group and the state machine, so CloudFormation deletes it first', () => {
    const dependsOn = resources[teardownId]?.DependsOn ?? [];
    for (const type of ['AWS::S3::Bucket', 'AWS::OpenSearchService::Domain', 'AWS::Personalize::DatasetGroup', 'AWS::Personalize::Dataset', 'AWS::StepFunctions::StateMachine']) {
      const ids = idsOf(type);
      expect(ids.length, type).toBeGreaterThan(0);
      for (const id of ids) expect(dependsOn, `${type} ${id}`).toContain(id);
    }
  });

  it('is deleted after the schedule rule, so no scheduled run starts during the teardown', () => {
    const rules = idsOf('AWS::Events::Rule').filter((id) => resources[id]?.Properties.ScheduleExpression !== undefined);
    expect(rules.length).toBeGreaterThan(0);
    for (const id of rules) expect(resources[id]?.DependsOn ?? []).toContain(teardownId);
  });

  it('runs the handler on the newest Node.js runtime with the 15-minute Lambda maximum', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs26.x',
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ INDEX_PREFIX: `${DEFAULT_STACK_CONFIG.pipeline.indexPrefix}-`, PARAMETER_PREFIX: `/${DEFAULT_STACK_CONFIG.resourcePrefix}/serving` }) },
    });
  });

  it('scopes IAM: deletes only the named campaign and solution, GET/DELETE on the domain, DeleteParameters under the prefix', () => {
    const byActions = (actions: string[]) => policyStatements.find((s) => JSON.stringify([s.Action].flat().sort()) === JSON.stringify([...actions].sort()));
    const text = (s: Statement | undefined) => JSON.stringify(s?.Resource);
    expect(byActions(['personalize:ListSolutions', 'personalize:ListSolutionVersions', 'personalize:ListCampaigns', 'personalize:ListEventTrackers'])?.Resource).toBe('*');
    expect(text(byActions(['personalize:DeleteCampaign', 'personalize:DescribeCampaign']))).toMatch(new RegExp(`:campaign/${DEFAULT_STACK_CONFIG.pipeline.campaignName}"`));
    expect(text(byActions(['personalize:DeleteSolution', 'personalize:DescribeSolution']))).toMatch(new RegExp(`:solution/${DEFAULT_STACK_CONFIG.pipeline.personalizeSolutionName}"`));
    expect(text(byActions(['personalize:DeleteEventTracker', 'personalize:DescribeEventTracker']))).toMatch(/:event-tracker\/\*"/);
    const domainArn = { 'Fn::GetAtt': [idsOf('AWS::OpenSearchService::Domain')[0], 'Arn'] };
    expect(byActions(['es:ESHttpGet', 'es:ESHttpDelete'])?.Resource).toEqual([domainArn, { 'Fn::Join': ['', [domainArn, '/*']] }]);
    expect(text(byActions(['ssm:DeleteParameters']))).toContain(`:parameter/${DEFAULT_STACK_CONFIG.resourcePrefix}/serving/*`);
    const all = policyStatements.flatMap((s) => [s.Action].flat());
    expect(all.filter((a) => a.endsWith('*') || a === 'es:ESHttpPost' || a === 'es:ESHttpPut' || a.startsWith('s3:'))).toEqual([]);
  });
});

describe('PipelineTeardown validation', () => {
  const props = (overrides: Partial<PipelineTeardownProps>) => {
    const stack = new Stack(newApp(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
    const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-x-abc.us-east-1.es.amazonaws.com');
    const base: PipelineTeardownProps = {
      datasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/g', campaignName: 'c', solutionName: 's',
      domain, indexPrefix: 'images-', alias: 'images', parameterPrefix: '/image-search/serving',
    };
    return () => new PipelineTeardown(stack, 'Teardown', { ...base, ...overrides });
  };

  it('rejects a parameter prefix that ends in "/"', () => {
    expect(props({ parameterPrefix: '/image-search/serving/' })).toThrow(/parameterPrefix .* must start with "\/" and not end with "\/"/);
  });

  it('rejects an index prefix OpenSearch would refuse', () => {
    expect(props({ indexPrefix: 'Images-' })).toThrow(/indexPrefix "Images-" must be lowercase/);
  });

  it('rejects a campaign name Personalize would refuse', () => {
    expect(props({ campaignName: 'my campaign' })).toThrow(/campaignName "my campaign" is not a valid Personalize name/);
  });
});
