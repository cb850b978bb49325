/**
 * The CLI's AWS mode end to end, from the command line to the SDK's request shapes: every command against mocked
 * CloudFormation, Step Functions, EventBridge and Personalize clients, and a loopback OpenSearch for the teardown.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand, PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  DeleteCampaignCommand, DeleteEventTrackerCommand, DeleteSolutionCommand, DescribeCampaignCommand, DescribeEventTrackerCommand,
  DescribeSolutionCommand, ListCampaignsCommand, ListEventTrackersCommand, ListSolutionsCommand, ListSolutionVersionsCommand,
  PersonalizeClient, ResourceNotFoundException,
} from '@aws-sdk/client-personalize';
import {
  DescribeExecutionCommand, DescribeMapRunCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenSearchVectorIndex } from '../../core/aws/opensearch-vector-index';
import { judgeModelQuality } from '../../core/quality-gate';
import { main } from '../../ops/cli';
import { FakeOpenSearch } from '../core/aws/fake-opensearch';
import { at, FakeHistory } from '../core/aws/sfn-history-fake';

const REGION = 'eu-west-1';
const MACHINE = `arn:aws:states:${REGION}:123456789012:stateMachine:Retraining`;
const EXECUTION = `arn:aws:states:${REGION}:123456789012:execution:Retraining:run-7`;
const MAP_RUN = `arn:aws:states:${REGION}:123456789012:mapRun:Retraining/EmbedImages:abc`;
const DATASET_GROUP = `arn:aws:personalize:${REGION}:123456789012:dataset-group/image-search`;
const SOLUTION = `arn:aws:personalize:${REGION}:123456789012:solution/image-search-style-ranking`;
const CAMPAIGN = `arn:aws:personalize:${REGION}:123456789012:campaign/image-search-style-ranking`;
const TRACKER = `arn:aws:personalize:${REGION}:123456789012:event-tracker/abc`;
const RULE = 'ImageSearch-ScheduleRule1234';

const cloudFormation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const eventBridge = mockClient(EventBridgeClient);
const personalize = mockClient(PersonalizeClient);
const opensearch = new FakeOpenSearch();
let dir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  await opensearch.start();
  dir = await mkdtemp(join(tmpdir(), 'cli-aws-'));
  // The OpenSearch client signs with SigV4 even against the loopback fake.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
});
afterAll(async () => {
  await opensearch.stop();
  await rm(dir, { recursive: true, force: true });
  process.env = savedEnv;
});
beforeEach(() => {
  for (const mock of [cloudFormation, sfn, eventBridge, personalize]) mock.reset();
  cloudFormation.on(DescribeStacksCommand, { StackName: 'ImageSearch' }).resolves({
    Stacks: [{
      StackName: 'ImageSearch',
      StackStatus: 'UPDATE_COMPLETE',
      CreationTime: new Date(0),
      Outputs: [
        { OutputKey: 'StateMachineArn', OutputValue: MACHINE },
        { OutputKey: 'DatasetGroupArn', OutputValue: DATASET_GROUP },
        { OutputKey: 'DomainEndpoint', OutputValue: opensearch.url },
        { OutputKey: 'IndexPrefix', OutputValue: 'images-' },
        { OutputKey: 'IndexAlias', OutputValue: 'images' },
      ],
    }],
  });
});
afterEach(() => {
  opensearch.indices.clear();
  opensearch.aliases.clear();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, '--aws', '--region', REGION], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out, err };
}

const verdict = judgeModelQuality({
  generation: 'gen-manual-1',
  candidate: { ndcgAt10: 0.62, precisionAt10: 0.24 },
  serving: { ndcgAt10: 0.61, precisionAt10: 0.23 },
  tolerance: 0.02,
});

describe('npm run cli -- <command> --aws', () => {
  it('run starts an execution of the stack\'s state machine with the input file as its input, and prints its ARN', async () => {
    const input = join(dir, 'input.json');
    await writeFile(input, '{ "generation": "gen-manual-1" }\n');
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: at(0) });

    const { code, out, err } = await cli('run', '--input', input);

    expect({ code, out, err }).toEqual({ code: 0, out: [EXECUTION], err: [] });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, input: '{"generation":"gen-manual-1"}' },
    ]);
  });

  it('run refuses a malformed input file in one line before any execution starts', async () => {
    const input = join(dir, 'bad.json');
    await writeFile(input, '{ "generation": "gen-1", "k": 5 }');

    const { code, out, err } = await cli('run', '--input', input);

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([`error: the input file ${input} is not a valid execution input: the execution input has unknown fields k: only "generation" and "qualityTolerance" are accepted`]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('run --follow prints every state, the Map progress and the outcome with both figure sets', async () => {
    const history = new FakeHistory(4)
      .add('ExecutionStarted', 0)
      .add('TaskStateEntered', 1, { name: 'Check no other run' })
      .add('TaskStateExited', 3, { name: 'Check no other run' })
      .add('MapStateEntered', 4, { name: 'Embed images' })
      .add('MapRunStarted', 5, { mapRunArn: MAP_RUN })
      .add('MapRunSucceeded', 60)
      .add('MapStateExited', 61, { name: 'Embed images' })
      .add('TaskStateEntered', 61, { name: 'Check model quality' })
      .add('TaskStateExited', 62, { name: 'Check model quality' })
      .add('SucceedStateEntered', 90, { name: 'Retraining succeeded' })
      .add('SucceedStateExited', 90, { name: 'Retraining succeeded' })
      .add('ExecutionSucceeded', 90);
    history.reveal();
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: at(0) });
    sfn.on(GetExecutionHistoryCommand).callsFake((input) => history.page(input));
    sfn.on(DescribeMapRunCommand).resolves({ itemCounts: { pending: 0, running: 0, succeeded: 959, failed: 1, timedOut: 0, aborted: 0, total: 960, resultsWritten: 960 } });
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION, stateMachineArn: MACHINE, name: 'run-7', status: 'SUCCEEDED', startDate: at(0), stopDate: at(90),
      input: '{}', output: JSON.stringify({ run: { generation: 'gen-manual-1' }, quality: { verdict } }),
    });

    const { code, out, err } = await cli('run', '--follow');

    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.slice(0, 9)).toEqual([
      `Started ${EXECUTION}`,
      '▶ Check no other run',
      '✔ Check no other run (2.00 s)',
      '▶ Embed images',
      '    Embed images: 959/960 succeeded (failed 1)',
      '✔ Embed images (57.0 s)',
      '▶ Check model quality',
      '✔ Check model quality (1.00 s)',
      '▶ Retraining succeeded',
    ]);
    const outcome = out.slice(out.indexOf('') + 1);
    expect(outcome[0]).toMatch(/^Run succeeded in 1 min 30 s: generation gen-manual-1 is live/);
    expect(outcome.join('\n')).toContain('candidate   ndcg@10 0.620  p@10 0.240');
    expect(outcome.join('\n')).toContain('serving     ndcg@10 0.610  p@10 0.230  (tolerance 0.020)');
    // Paged newest first, as the adapter reads it.
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, '4', '8']);
  });

  it('status of an unknown execution is one line naming it, and exit 1', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    const { code, out, err } = await cli('status', 'run-404');

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^error: .*run-404/);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: `arn:aws:states:${REGION}:123456789012:execution:Retraining:run-404` });
  });

  it('history pages the executions up to the limit and shows the rejected one with both figure sets', async () => {
    const rejected = judgeModelQuality({ generation: 'gen-b', candidate: { ndcgAt10: 0.33, precisionAt10: 0.19 }, serving: { ndcgAt10: 0.64, precisionAt10: 0.24 }, tolerance: 0.02 });
    const arn = (name: string): string => `arn:aws:states:${REGION}:123456789012:execution:Retraining:${name}`;
    sfn.on(ListExecutionsCommand, { nextToken: undefined }).resolves({
      executions: [{ executionArn: arn('run-b'), stateMachineArn: MACHINE, name: 'run-b', status: 'FAILED', startDate: at(100) }],
      nextToken: 'page-2',
    });
    sfn.on(ListExecutionsCommand, { nextToken: 'page-2' }).resolves({
      executions: [{ executionArn: arn('run-a'), stateMachineArn: MACHINE, name: 'run-a', status: 'SUCCEEDED', startDate: at(0) }],
      nextToken: 'page-3',
    });
    sfn.on(DescribeExecutionCommand, { executionArn: arn('run-b') }).resolves({
      executionArn: arn('run-b'), stateMachineArn: MACHINE, name: 'run-b', status: 'FAILED', startDate: at(100), stopDate: at(130),
      input: '{"generation":"gen-b"}', error: 'ModelRejected', cause: JSON.stringify(rejected),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: arn('run-a') }).resolves({
      executionArn: arn('run-a'), stateMachineArn: MACHINE, name: 'run-a', status: 'SUCCEEDED', startDate: at(0), stopDate: at(90),
      input: '{}', output: JSON.stringify({ run: { generation: 'gen-a' }, quality: { verdict } }),
    });

    const { code, out } = await cli('history', '--limit', '2');

    expect(code).toBe(0);
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => [c.args[0].input.maxResults, c.args[0].input.nextToken])).toEqual([[2, undefined], [1, 'page-2']]);
    expect(out).toHaveLength(3);
    expect(out[1]).toMatch(/^run-b\s+rejected by quality gate\s+.*gen-b\s+0\.330\s+0\.190\s+0\.640\s+0\.240$/);
    expect(out[2]).toMatch(/^run-a\s+succeeded\s+.*gen-a\s+0\.620\s+0\.240\s+0\.610\s+0\.230$/);
  });

  it('schedule show, disable, enable and set act on the rule that targets the state machine', async () => {
    let state: 'ENABLED' | 'DISABLED' = 'ENABLED';
    let expression = 'cron(0 3 ? * SUN *)';
    eventBridge.on(ListRuleNamesByTargetCommand, { TargetArn: MACHINE }).resolves({ RuleNames: [RULE] });
    eventBridge.on(DescribeRuleCommand, { Name: RULE }).callsFake(() => ({ Name: RULE, ScheduleExpression: expression, State: state, Description: 'Starts the retraining state machine', EventBusName: 'default' }));
    eventBridge.on(DisableRuleCommand).callsFake(() => void (state = 'DISABLED'));
    eventBridge.on(EnableRuleCommand).callsFake(() => void (state = 'ENABLED'));
    eventBridge.on(PutRuleCommand).callsFake((input: { ScheduleExpression: string }) => void (expression = input.ScheduleExpression));

    expect((await cli('schedule', 'show')).out).toEqual([`Schedule ${RULE}: cron(0 3 ? * SUN *), enabled`]);
    expect((await cli('schedule', 'disable')).out[0]).toBe(`Schedule ${RULE}: cron(0 3 ? * SUN *), disabled`);
    expect((await cli('schedule', 'enable')).out[0]).toBe(`Schedule ${RULE}: cron(0 3 ? * SUN *), enabled`);
    expect((await cli('schedule', 'set', 'rate(3 days)')).out[0]).toBe(`Schedule ${RULE}: rate(3 days), enabled`);

    expect(eventBridge.commandCalls(DisableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: RULE }]);
    expect(eventBridge.commandCalls(EnableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: RULE }]);
    expect(eventBridge.commandCalls(PutRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: RULE, ScheduleExpression: 'rate(3 days)', State: 'ENABLED', Description: 'Starts the retraining state machine', EventBusName: 'default' },
    ]);
  });

  it('schedule set refuses a bad expression without calling AWS', async () => {
    const { code, err } = await cli('schedule', 'set', 'rate(1 days)');
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('expression "rate(1 days)" is not an EventBridge schedule expression');
    expect(eventBridge.calls()).toHaveLength(0);
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('teardown --yes lists, then deletes the campaign before the solution, the tracker and the unserved index generation', async () => {
    const index = new OpenSearchVectorIndex({ client: opensearch.client(), indexPrefix: 'images-' });
    for (const generation of ['gen-old', 'gen-live']) {
      await index.createGeneration(generation, { dimension: 2 });
      await index.finalize(generation);
    }
    await index.swapAlias('images', 'gen-live');
    personalize.on(ListSolutionsCommand).resolves({ solutions: [{ solutionArn: SOLUTION, name: 'image-search-style-ranking', status: 'ACTIVE' }] });
    personalize.on(ListSolutionVersionsCommand).resolves({ solutionVersions: [{ solutionVersionArn: `${SOLUTION}/v1`, status: 'ACTIVE' }] });
    personalize.on(ListCampaignsCommand).resolves({ campaigns: [{ campaignArn: CAMPAIGN, name: 'image-search-style-ranking', status: 'ACTIVE' }] });
    personalize.on(ListEventTrackersCommand).resolves({ eventTrackers: [{ eventTrackerArn: TRACKER, name: 'image-search-events', status: 'ACTIVE' }] });
    const gone = new ResourceNotFoundException({ message: 'gone', $metadata: {} });
    personalize.on(DescribeCampaignCommand).rejects(gone).on(DescribeSolutionCommand).rejects(gone).on(DescribeEventTrackerCommand).rejects(gone);
    personalize.on(DeleteCampaignCommand).resolves({}).on(DeleteSolutionCommand).resolves({}).on(DeleteEventTrackerCommand).resolves({});
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    const { code, out, err } = await cli('teardown', '--yes');

    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe('Teardown will delete 4 items:');
    expect(out.join('\n')).toContain(CAMPAIGN);
    expect(out.filter((line) => line.trimStart().startsWith('index generation'))).toEqual(['  index generation  gen-old  (old: alias "images" serves gen-live)']);
    const deletes = personalize.calls().map((c) => c.args[0].constructor.name).filter((name) => name.startsWith('Delete'));
    expect(deletes.indexOf('DeleteCampaignCommand')).toBeLessThan(deletes.indexOf('DeleteSolutionCommand'));
    expect(deletes).toContain('DeleteEventTrackerCommand');
    expect((await index.listGenerations()).map((g) => g.generation)).toEqual(['gen-live']);
    expect(await index.resolveAlias('images')).toBe('gen-live');
  });

  it('a missing stack is one line naming it, and exit 1', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Nope' }).rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    const { code, out, err } = await cli('status', '--stack', 'Nope');
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^error: .*Nope/);
  });
});
