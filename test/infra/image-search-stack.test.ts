import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUT_KEYS } from '../../core/aws/stack-outputs';
import { DEFAULT_STACK_CONFIG } from '../../infra/config';
import { ImageSearchStack } from '../../infra/image-search-stack';
import { applyNagChecks } from '../../infra/nag';

type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; BackoffRate?: number }[];
  Choices?: { Next: string }[];
  Default?: string;
  ItemReader?: { Resource: string };
  ItemBatcher?: unknown;
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; StartAt: string; States: Record<string, State> };
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  Branches?: { States: Record<string, State> }[];
  Parameters?: Record<string, unknown>;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
}
type Statement = { Action: string | string[]; Resource: unknown };

let template: Template;
let synthError: Error | undefined;
let definition: Definition;
let acknowledgements: { id: string; reason: string }[];
let findings: string[] = [];

/** `rule at construct path` for each violation in the validation report, for a readable failure. */
function unacknowledgedFindings(reportFile: string): string[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
}

/** Every state of the definition, nested Map and Parallel states included, with its name. */
function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
    ...(state.Branches ?? []).flatMap((b) => allStates(b.States)),
  ]);
}

const PSEUDO: Readonly<Record<string, string>> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

/** The DefinitionString's Fn::Join with pseudo parameters resolved and other tokens replaced by a plausible ARN. */
function definitionOf(stateMachine: { Properties: { DefinitionString: unknown } }): Definition {
  const raw = stateMachine.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const token = (part: unknown): string => {
    const ref = (part as { Ref?: string }).Ref;
    return (ref !== undefined && PSEUDO[ref]) || 'arn:aws:lambda:us-east-1:123456789012:function:token';
  };
  const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : token(part))).join('');
  return JSON.parse(text) as Definition;
}

beforeAll(() => {
  // Bundling is skipped (it is what `npm run synth` is for); the template and the nag checks are the same.
  const outdir = mkdtempSync(join(tmpdir(), 'image-search-cdk-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ImageSearchStack(app, 'ImageSearch', { config: DEFAULT_STACK_CONFIG });
  applyNagChecks(app);
  try {
    app.synth();
  } catch (error) {
    synthError = error as Error;
    findings = unacknowledgedFindings(join(outdir, 'validation-report.json'));
  }
  // The cloud assembly is written before the validation plugins run, so the other tests check it even when nag fails.
  template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, `${stack.stackName}.template.json`), 'utf8')) as Record<string, unknown>);
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  definition = definitionOf(machines[0] as { Properties: { DefinitionString: unknown } });
  const metadata = JSON.parse(readFileSync(join(outdir, `${stack.stackName}.metadata.json`), 'utf8')) as Record<string, { type: string; data: unknown }[]>;
  acknowledgements = Object.values(metadata)
    .flat()
    .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason })))
    .filter(({ id }) => id.includes('AwsSolutions-'));
});

describe('ImageSearchStack', () => {
  it('synthesizes with zero cdk-nag AwsSolutions findings left unfixed and unacknowledged', () => {
    expect(findings, synthError?.message.slice(0, 2000)).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  it('gives every acknowledged finding a written reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect(reason.length, `reason of ${id}`).toBeGreaterThan(30);
    }
  });

  it('has exactly one retraining state machine, Standard, with full logging and tracing', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { StateMachineType?: string } };
    expect(machine.Properties.StateMachineType ?? 'STANDARD').toBe('STANDARD');
  });

  it('has a synthesized definition that passes asl-validator', () => {
    const result = validateAsl(definition);
    expect(result.errorsText(), 'asl-validator errors').toBe('');
    expect(result.isValid).toBe(true);
  });

  it('fans out the embedding over a Distributed Map with an S3 item reader, a batcher and the configured limits', () => {
    const maps = allStates(definition.States).filter(([, s]) => s.Type === 'Map' && s.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED');
    expect(maps).toHaveLength(1);
    const [, map] = maps[0] as [string, State];
    expect(map.ItemReader?.Resource).toMatch(/^arn:aws:states:::s3:(getObject|listObjectsV2)$/);
    expect(map.ItemBatcher).toBeDefined();
    expect(map.MaxConcurrency).toBe(DEFAULT_STACK_CONFIG.pipeline.maxConcurrency);
    expect(map.ToleratedFailurePercentage).toBe(DEFAULT_STACK_CONFIG.pipeline.toleratedFailurePercentage);
  });

  it('trains K-Means and assigns clusters with the two SageMaker .sync tasks, creating the model in between', () => {
    const resources = allStates(definition.States).map(([, s]) => s.Resource);
    expect(resources).toContain('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(resources).toContain('arn:aws:states:::sagemaker:createModel');
    expect(resources).toContain('arn:aws:states:::sagemaker:createTransformJob.sync');
  });

  it('drives Personalize through SDK tasks whose polling loops are Wait + Choice with a bound on attempts', () => {
    const states = allStates(definition.States);
    const personalize = states.filter(([, s]) => s.Resource?.startsWith('arn:aws:states:::aws-sdk:personalize:'));
    const actions = personalize.map(([, s]) => (s.Resource as string).split(':').pop());
    for (const action of ['createDatasetImportJob', 'describeDatasetImportJob', 'createSolutionVersion', 'describeSolutionVersion']) expect(actions).toContain(action);
    expect(actions.some((a) => a === 'createCampaign' || a === 'updateCampaign')).toBe(true);
    expect(states.filter(([, s]) => s.Type === 'Wait').length).toBeGreaterThanOrEqual(3);
    // A bound: some Choice compares an attempt counter, so no poll can loop forever.
    const choices = JSON.stringify(states.filter(([, s]) => s.Type === 'Choice').map(([, s]) => s.Choices));
    expect(choices).toMatch(/[Aa]ttempt/);
  });

  it('starts with the concurrency guard and publishes (alias swap + SSM) in one step right after indexing', () => {
    expect(definition.StartAt).toMatch(/guard|no other run/i);
    const states = allStates(definition.States);
    const publish = states.filter(([name, s]) => s.Type === 'Task' && /publish generation|swap alias/i.test(name));
    expect(publish).toHaveLength(1);
    const [publishName, publishState] = publish[0] as [string, State];
    // The step gets everything serving reads, so the six parameters and the alias change together.
    for (const field of ['generation', 'clusterGeneration', 'clusterCount', 'campaignArn', 'trackingId']) {
      expect(Object.keys(publishState.Parameters ?? {}).some((k) => k.replace(/\.\$$/, '') === field), field).toBe(true);
    }
    const indexing = states.find(([name]) => /^index images$/i.test(name));
    expect(indexing?.[1].Next).toBe(publishName);
  });

  it('catches failures of the run into a failure path that ends the execution as failed', () => {
    const states = allStates(definition.States);
    const catchTargets = new Set(states.flatMap(([, s]) => (s.Catch ?? []).map((c) => c.Next)));
    expect(catchTargets.size).toBeGreaterThan(0);
    expect(states.some(([, s]) => s.Type === 'Fail')).toBe(true);
    // Retries with backoff on throttling.
    expect(JSON.stringify(states.map(([, s]) => s.Retry ?? []))).toMatch(/Throttl|TooManyRequests|Lambda\.TooManyRequestsException/);
  });

  it('schedules the state machine with an EventBridge rule on the configured expression', () => {
    const [machineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: DEFAULT_STACK_CONFIG.schedule,
      Targets: [Match.objectLike({ Arn: { Ref: machineId } })],
    });
  });

  it('outputs what the operator commands read: state machine, dataset group, domain, index prefix and alias, schedule rule', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const key of Object.values(STACK_OUTPUT_KEYS)) expect(outputs[key]?.Value, key).toBeDefined();
    expect(outputs.IndexPrefix?.Value).toBe(`${DEFAULT_STACK_CONFIG.pipeline.indexPrefix}-`);
    expect(outputs.IndexAlias?.Value).toBe(DEFAULT_STACK_CONFIG.pipeline.alias);
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule'));
    expect(outputs.ScheduleRuleName?.Value).toEqual({ Ref: ruleId });
  });

  it('scopes IAM: no wildcard actions, and Resource "*" only where the service has no resource-level permissions', () => {
    // Actions documented without resource-level permissions (X-Ray, CloudWatch Logs delivery for Step Functions, metrics,
    // the ECR login for the built-in K-Means image, sagemaker:ListTags that the .sync integrations' CDK policy adds, and
    // the Personalize List* calls of the teardown).
    const needsStar = /^(xray:|ecr:GetAuthorizationToken$|sagemaker:ListTags$|personalize:List(Solutions|SolutionVersions|Campaigns|EventTrackers)$|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$|cloudwatch:PutMetricData$)/;
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      for (const action of actions) expect(action, 'wildcard action').not.toMatch(/^\*$|:\*$/);
      if (statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*'))) {
        expect(actions.filter((a) => !needsStar.test(a)), 'actions on Resource "*"').toEqual([]);
      }
    }
  });

  it("lets the pipeline's publish function mark trained users in serving's user-history table, with BatchWriteItem only", () => {
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    const [publishId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('RetrainingTaskspublishgeneration'));
    expect(tableId).toBeDefined();
    const publish = template.toJSON().Resources[publishId as string] as { Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, unknown> } } };
    expect(publish.Properties.Environment.Variables['USER_HISTORY_TABLE']).toEqual({ Ref: tableId });
    const publishPolicy = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: publish.Properties.Role['Fn::GetAtt'][0] }] } }));
    const tableActions = [...publishPolicy.matchAll(/"(dynamodb:[A-Za-z]+)"/g)].map((match) => match[1]);
    expect(tableActions).toEqual(['dynamodb:BatchWriteItem']);
  });

  it('limits the OpenSearch domain to identity grants: no access policy open to anyone', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', { AccessPolicies: Match.absent() });
  });
});
