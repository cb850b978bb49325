import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand, DescribeMapRunCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsPipelineControl } from '../../../core/aws/step-functions-pipeline-control';
import { ConcurrentRunError, NotFoundError, ValidationError } from '../../../core/errors';
import type { RunEvent } from '../../../core/ports/pipeline-control';
import type { QualityVerdict } from '../../../core/quality-gate';
import { at, FakeHistory } from './sfn-history-fake';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sfn = new SFNClient({ region: 'us-east-1', credentials });
const mock = mockClient(sfn);
const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:Retraining';
const execution = 'arn:aws:states:us-east-1:123456789012:execution:Retraining:run-1';
const mapRun = 'arn:aws:states:us-east-1:123456789012:mapRun:Retraining/EmbedImages:abc';
const POLL_MS = 7000;

const verdict: QualityVerdict = {
  passed: false,
  generation: 'gen-20270103-030000',
  candidate: { ndcgAt10: 0.31, precisionAt10: 0.12 },
  serving: { ndcgAt10: 0.4, precisionAt10: 0.15 },
  tolerance: 0.02,
  reasons: ['ndcgAt10 dropped 0.090 (0.400 -> 0.310), more than the tolerance 0.02'],
};

let sleeps: number[];
let onSleep: (() => void) | undefined;
const control = () =>
  new StepFunctionsPipelineControl({
    stateMachineArn: machine,
    sfn,
    eventBridge: new EventBridgeClient({ region: 'us-east-1', credentials }),
    pollIntervalMs: POLL_MS,
    sleep: async (ms) => {
      // A follow that never ends fails the test instead of spinning.
      if (sleeps.length >= 20) throw new Error('still following after 20 polls');
      sleeps.push(ms);
      onSleep?.();
    },
    now: () => at(999),
  });

const described = (fields: Partial<DescribeExecutionCommandOutput>): DescribeExecutionCommandOutput => ({
  executionArn: execution,
  stateMachineArn: machine,
  name: 'run-1',
  status: 'SUCCEEDED',
  startDate: new Date('2027-01-02T03:04:05Z'),
  input: '{}',
  $metadata: {},
  ...fields,
});

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

beforeEach(() => {
  mock.reset();
  sleeps = [];
  onSleep = undefined;
});

describe('StepFunctionsPipelineControl.start', () => {
  it('starts an execution of the state machine with the input as JSON and no name', async () => {
    mock.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: at(0) });

    const run = await control().start({ generation: 'gen-20270103-030000' });

    expect(mock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: machine, input: '{"generation":"gen-20270103-030000"}' },
    ]);
    expect(run.id).toBe(execution);
    expect(run.startedAt).toEqual(at(0));
  });

  it('follows the run over several polls, paging the history, each event once, Map progress and a caught failure included', async () => {
    const history = new FakeHistory(3)
      .add('ExecutionStarted', 0)
      .add('TaskStateEntered', 1, { name: 'Check no other run' })
      .add('TaskScheduled', 1)
      // Throttled, then retried: not the state's outcome, so not shown.
      .add('TaskFailed', 1.5, { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' })
      .add('TaskScheduled', 1.8)
      .add('TaskSucceeded', 2)
      .add('TaskStateExited', 3, { name: 'Check no other run' })
      .add('PassStateEntered', 3, { name: 'Plan run keys' })
      .add('PassStateExited', 3, { name: 'Plan run keys' })
      .add('MapStateEntered', 4, { name: 'Embed images' })
      .add('MapStateStarted', 4)
      .add('MapRunStarted', 5, { mapRunArn: mapRun });
    const firstPoll = history.events.length;
    history
      .add('MapRunSucceeded', 60)
      .add('MapStateSucceeded', 60)
      .add('MapStateExited', 61, { name: 'Embed images' })
      .add('TaskStateEntered', 61, { name: 'Prepare K-Means input' })
      .add('TaskScheduled', 61)
      .add('TaskFailed', 63.5, { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.Unknown', cause: 'out of memory' })
      .add('TaskStateExited', 63.5, { name: 'Prepare K-Means input' })
      .add('TaskStateEntered', 64, { name: 'Publish failure event' })
      .add('TaskStateExited', 65, { name: 'Publish failure event' })
      .add('FailStateEntered', 65, { name: 'Retraining failed' })
      .add('ExecutionFailed', 65, { error: 'Lambda.Unknown', cause: 'out of memory' });
    history.reveal(firstPoll);
    // The history grows only between polls: poll 1 sees the start, polls 2 and 3 nothing new, poll 4 the rest.
    let polls = 1;
    onSleep = () => {
      polls++;
      if (polls === 4) history.reveal();
    };
    mock.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: at(0) });
    mock.on(GetExecutionHistoryCommand).callsFake((input) => history.page(input));
    mock.on(DescribeMapRunCommand, { mapRunArn: mapRun })
      .resolvesOnce({ itemCounts: { pending: 100, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 100, resultsWritten: 0 } })
      .resolvesOnce({ itemCounts: { pending: 50, running: 9, succeeded: 40, failed: 1, timedOut: 0, aborted: 0, total: 100, resultsWritten: 41 } })
      .resolvesOnce({ itemCounts: { pending: 40, running: 19, succeeded: 40, failed: 1, timedOut: 0, aborted: 0, total: 100, resultsWritten: 41 } })
      .resolves({ itemCounts: { pending: 0, running: 0, succeeded: 97, failed: 1, timedOut: 1, aborted: 1, total: 100, resultsWritten: 100 } });
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'FAILED', startDate: at(0), stopDate: at(65), error: 'Lambda.Unknown', cause: 'out of memory' }));

    const events = await collect((await control().start({})).events());

    expect(events).toEqual([
      { kind: 'entered', state: 'Check no other run', at: at(1) },
      { kind: 'exited', state: 'Check no other run', at: at(3), seconds: 2 },
      { kind: 'entered', state: 'Plan run keys', at: at(3) },
      { kind: 'exited', state: 'Plan run keys', at: at(3), seconds: 0 },
      { kind: 'entered', state: 'Embed images', at: at(4) },
      { kind: 'map-progress', state: 'Embed images', at: at(999), succeeded: 0, failed: 0, total: 100 },
      { kind: 'map-progress', state: 'Embed images', at: at(999), succeeded: 40, failed: 1, total: 100 },
      // Poll 3 read the same counts and showed nothing; the final counts come before the Map's exit.
      { kind: 'map-progress', state: 'Embed images', at: at(60), succeeded: 97, failed: 3, total: 100 },
      { kind: 'exited', state: 'Embed images', at: at(61), seconds: 57 },
      { kind: 'entered', state: 'Prepare K-Means input', at: at(61) },
      // A caught failure shows once, when the state is left, as the local runner shows it.
      { kind: 'failed', state: 'Prepare K-Means input', at: at(63.5), seconds: 2.5, error: 'Lambda.Unknown', cause: 'out of memory' },
      { kind: 'entered', state: 'Publish failure event', at: at(64) },
      { kind: 'exited', state: 'Publish failure event', at: at(65), seconds: 1 },
      { kind: 'entered', state: 'Retraining failed', at: at(65) },
      { kind: 'failed', state: 'Retraining failed', at: at(65), seconds: 0, error: 'Lambda.Unknown', cause: 'out of memory' },
      {
        kind: 'finished',
        at: at(65),
        // DescribeExecution does not name the failed state; the history does.
        execution: expect.objectContaining({ id: execution, status: 'FAILED', failure: { state: 'Prepare K-Means input', error: 'Lambda.Unknown', cause: 'out of memory' } }),
      },
    ]);
    expect(sleeps).toEqual([POLL_MS, POLL_MS, POLL_MS]);
    const pages = mock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(pages.every((p) => p.executionArn === execution && p.reverseOrder === true)).toBe(true);
    // Poll 1: 12 events in 4 pages; polls 2 and 3: one page each; poll 4: pages until an event seen before (4 pages).
    expect(pages.map((p) => p.nextToken)).toEqual([undefined, '3', '6', '9', undefined, undefined, undefined, '3', '6', '9']);
    expect(mock.commandCalls(DescribeMapRunCommand)).toHaveLength(4);
  });

  it('shows each event once when events are appended between two pages of one poll', async () => {
    const history = new FakeHistory(2)
      .add('ExecutionStarted', 0)
      .add('TaskStateEntered', 1, { name: 'Check no other run' })
      .add('TaskStateExited', 2, { name: 'Check no other run' })
      .add('PassStateEntered', 2, { name: 'Plan run keys' })
      .add('PassStateExited', 3, { name: 'Plan run keys' })
      .add('SucceedStateEntered', 4, { name: 'Done' })
      .add('SucceedStateExited', 4, { name: 'Done' })
      .add('ExecutionSucceeded', 5);
    history.reveal(4);
    onSleep = () => {
      if (sleeps.length === 1) history.reveal(6);
    };
    // Poll 1 reads pages 1-2. Poll 2 reads [6, 5], then events 7 and 8 arrive: offsets shift, so its next page repeats
    // [6, 5] and 7 and 8 wait for poll 3.
    history.afterPage = (page) => {
      if (page === 3) history.reveal();
    };
    mock.on(GetExecutionHistoryCommand).callsFake((input) => history.page(input));
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'SUCCEEDED', startDate: at(0), stopDate: at(5), output: '{"run":{"generation":"gen-20270103-030000"}}' }));
    mock.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: at(0) });

    const events = await collect((await control().start({})).events());

    expect(events.map((e) => `${e.kind} ${'state' in e ? e.state : ''}`)).toEqual([
      'entered Check no other run',
      'exited Check no other run',
      'entered Plan run keys',
      'exited Plan run keys',
      'entered Done',
      'exited Done',
      'finished ',
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'finished', execution: { status: 'SUCCEEDED', generation: 'gen-20270103-030000' } });
    expect(mock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, '2', undefined, '2', '4', undefined, '2']);
    expect(sleeps).toEqual([POLL_MS, POLL_MS]);
  });

  it('reports a failure nothing caught at the task that raised it, and a rejected model at its Fail state', async () => {
    const history = new FakeHistory(50)
      .add('ExecutionStarted', 0)
      .add('TaskStateEntered', 1, { name: 'Train K-Means' })
      .add('TaskScheduled', 1)
      .add('TaskFailed', 9, { error: 'States.TaskFailed', cause: 'ResourceLimitExceeded' })
      .add('ExecutionFailed', 9, { error: 'States.TaskFailed', cause: 'ResourceLimitExceeded' });
    history.reveal();
    mock.on(GetExecutionHistoryCommand).callsFake((input) => history.page(input));
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'FAILED', startDate: at(0), stopDate: at(9), error: 'States.TaskFailed', cause: 'ResourceLimitExceeded' }));
    mock.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: at(0) });

    const events = await collect((await control().start({})).events());

    expect(events.slice(1, 2)).toEqual([{ kind: 'failed', state: 'Train K-Means', at: at(9), seconds: 8, error: 'States.TaskFailed', cause: 'ResourceLimitExceeded' }]);
    expect(events.at(-1)).toMatchObject({ kind: 'finished', execution: { failure: { state: 'Train K-Means', error: 'States.TaskFailed' } } });

    const rejected = new FakeHistory(50)
      .add('ExecutionStarted', 0)
      .add('ChoiceStateEntered', 1, { name: 'Model good enough?' })
      .add('ChoiceStateExited', 1, { name: 'Model good enough?' })
      .add('FailStateEntered', 1, { name: 'Model rejected' })
      .add('ExecutionFailed', 1, { error: 'ModelRejected', cause: JSON.stringify(verdict) });
    rejected.reveal();
    mock.on(GetExecutionHistoryCommand).callsFake((input) => rejected.page(input));
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'FAILED', startDate: at(0), stopDate: at(1), error: 'ModelRejected', cause: JSON.stringify(verdict) }));

    const shown = await collect((await control().start({})).events());

    expect(shown.map((e) => `${e.kind} ${'state' in e ? e.state : ''}`)).toEqual(['entered Model good enough?', 'exited Model good enough?', 'entered Model rejected', 'failed Model rejected', 'finished ']);
    expect(shown.at(-1)).toMatchObject({ kind: 'finished', execution: { quality: verdict, failure: { state: 'Model rejected', error: 'ModelRejected' } } });
  });

  it('does not show the states of inline Map iterations as steps of the run', async () => {
    const history = new FakeHistory(50)
      .add('ExecutionStarted', 0)
      .add('MapStateEntered', 1, { name: 'Per cluster' })
      .add('MapStateStarted', 1)
      .add('MapIterationStarted', 1)
      .add('TaskStateEntered', 1, { name: 'Inner step' })
      .add('TaskFailed', 2, { error: 'Inner.Error', cause: 'retried' })
      .add('TaskStateExited', 2, { name: 'Inner step' })
      .add('MapIterationSucceeded', 2)
      .add('MapStateSucceeded', 2)
      .add('MapStateExited', 3, { name: 'Per cluster' })
      .add('ExecutionSucceeded', 3);
    history.reveal();
    mock.on(GetExecutionHistoryCommand).callsFake((input) => history.page(input));
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'SUCCEEDED', startDate: at(0), stopDate: at(3) }));
    mock.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: at(0) });

    const events = await collect((await control().start({})).events());

    expect(events.map((e) => `${e.kind} ${'state' in e ? e.state : ''}`)).toEqual(['entered Per cluster', 'exited Per cluster', 'finished ']);
  });
});

describe('StepFunctionsPipelineControl.describe', () => {
  it('takes the generation and the verdict of a succeeded run from its output', async () => {
    const passed = { ...verdict, passed: true, reasons: [] };
    mock.on(DescribeExecutionCommand).resolves(described({
      stopDate: new Date('2027-01-02T05:00:00Z'),
      output: JSON.stringify({ run: { generation: 'gen-20270102-030405' }, quality: { verdict: passed } }),
    }));

    const summary = await control().describe(execution);

    expect(summary).toEqual({
      id: execution,
      name: 'run-1',
      status: 'SUCCEEDED',
      startedAt: new Date('2027-01-02T03:04:05Z'),
      stoppedAt: new Date('2027-01-02T05:00:00Z'),
      generation: 'gen-20270102-030405',
      quality: passed,
    });
  });

  it('names the generation of a failed run after its start time, as the guard does, and keeps error and cause', async () => {
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'FAILED', error: 'States.TaskFailed', cause: 'K-Means training failed' }));

    const summary = await control().describe(execution);

    expect(summary.generation).toBe('gen-20270102-030405');
    expect(summary.failure).toEqual({ error: 'States.TaskFailed', cause: 'K-Means training failed' });
    expect(summary.quality).toBeUndefined();
  });

  it('reads the verdict of a rejected model from the failure cause and names the "Model rejected" state', async () => {
    mock.on(DescribeExecutionCommand).resolves(described({
      status: 'FAILED',
      input: '{"generation":"gen-manual-1"}',
      error: 'ModelRejected',
      cause: JSON.stringify(verdict),
    }));

    const summary = await control().describe('run-1');

    expect(summary.quality).toEqual(verdict);
    expect(summary.failure).toEqual({ state: 'Model rejected', error: 'ModelRejected', cause: JSON.stringify(verdict) });
    expect(summary.generation).toBe(verdict.generation);
  });

  it('takes the generation from the input when the run had no output', async () => {
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'ABORTED', input: '{"generation":"gen-manual-1"}' }));
    expect((await control().describe(execution)).generation).toBe('gen-manual-1');
  });

  it('builds the execution ARN from a bare execution name', async () => {
    mock.on(DescribeExecutionCommand).resolves(described({}));
    await control().describe('nightly-42');
    expect(mock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Retraining:nightly-42',
    });
  });

  it('answers an unknown execution with a NotFoundError naming it', async () => {
    mock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const error = await control().describe('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('execution "nope"');
  });
});

describe('StepFunctionsPipelineControl.list', () => {
  it('pages ListExecutions until the limit, asks no more than it needs, and describes each run', async () => {
    const arn = (n: number) => `${execution.replace(/run-1$/, '')}run-${n}`;
    const item = (n: number) => ({ executionArn: arn(n), stateMachineArn: machine, name: `run-${n}`, status: 'SUCCEEDED' as const, startDate: at(-n) });
    mock.on(ListExecutionsCommand, { nextToken: undefined }).resolves({ executions: [item(1), item(2), item(3)], nextToken: 'p2' });
    mock.on(ListExecutionsCommand, { nextToken: 'p2' }).resolves({ executions: [item(4), item(5)], nextToken: 'p3' });
    mock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) =>
      described({ executionArn: input.executionArn, name: input.executionArn.split(':').pop(), output: JSON.stringify({ run: { generation: `gen-${input.executionArn.slice(-1)}` } }) }));

    const runs = await control().list(4);

    expect(runs.map((r) => [r.name, r.generation])).toEqual([['run-1', 'gen-1'], ['run-2', 'gen-2'], ['run-3', 'gen-3'], ['run-4', 'gen-4']]);
    expect(mock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: machine, maxResults: 4 },
      { stateMachineArn: machine, maxResults: 1, nextToken: 'p2' },
    ]);
    expect(mock.commandCalls(DescribeExecutionCommand)).toHaveLength(4);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(control().list(0)).rejects.toThrow(ValidationError);
  });
});

describe('StepFunctionsPipelineControl.teardown', () => {
  it('refuses while a run is in progress, before deleting anything', async () => {
    mock.on(ListExecutionsCommand, { statusFilter: 'RUNNING' }).resolves({ executions: [{ executionArn: execution, stateMachineArn: machine, name: 'run-1', status: 'RUNNING', startDate: at(0) }] });
    await expect(control().teardown([{ kind: 'campaign', id: 'arn:aws:personalize:us-east-1:123456789012:campaign/c' }])).rejects.toThrow(ConcurrentRunError);
  });

  it('refuses to plan without the stack outputs that say what to delete', async () => {
    await expect(control().planTeardown()).rejects.toThrow(/DatasetGroupArn.*--stack/);
  });
});

describe('StepFunctionsPipelineControl props', () => {
  it('refuses a state machine ARN that is not one', () => {
    expect(() => new StepFunctionsPipelineControl({ stateMachineArn: execution, sfn, eventBridge: new EventBridgeClient({ region: 'us-east-1' }) })).toThrow(/not a state machine ARN/);
  });
});
