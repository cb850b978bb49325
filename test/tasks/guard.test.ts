import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateMachineArnOf, StepFunctionsExecutionGuard } from '../../core/aws/step-functions-execution-guard';
import { ConcurrentRunError } from '../../core/errors';
import { LockFileExecutionGuard } from '../../core/local/lock-file-execution-guard';
import type { ExecutionGuard, RunClaim } from '../../core/ports/execution-guard';
import { generationName } from '../../core/execution-input';
import { makeGuardHandler } from '../../tasks/guard';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Retraining';
const execution = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:Retraining:${name}`;

class RecordingGuard implements ExecutionGuard {
  readonly claims: RunClaim[] = [];
  async claim(run: RunClaim): Promise<void> {
    this.claims.push(run);
  }
  async release(): Promise<void> {}
}

describe('guard step', () => {
  const event = { executionId: execution('run-1'), startTime: '2026-12-04T09:05:07.123Z', input: {}, qualityTolerance: 0.02 };

  it('names the generation from the start time in UTC and claims the run', async () => {
    const guard = new RecordingGuard();
    expect(await makeGuardHandler({ guard })(event)).toEqual({ generation: 'gen-20261204-090507', qualityTolerance: 0.02 });
    expect(guard.claims).toEqual([{ runId: execution('run-1'), startedAt: new Date('2026-12-04T09:05:07.123Z') }]);
    expect(generationName(new Date('2027-01-02T03:04:05Z'))).toBe('gen-20270102-030405');
  });

  it('takes the generation from the input of a manual run', async () => {
    expect(await makeGuardHandler({ guard: new RecordingGuard() })({ ...event, input: { generation: 'rerun-7' } })).toEqual({ generation: 'rerun-7', qualityTolerance: 0.02 });
  });

  it('takes the quality gate tolerance of this run from the input, else the configured one', async () => {
    const handler = makeGuardHandler({ guard: new RecordingGuard() });
    expect(await handler({ ...event, input: { qualityTolerance: 1 } })).toMatchObject({ qualityTolerance: 1 });
    expect(await handler({ ...event, input: { qualityTolerance: 0 } })).toMatchObject({ qualityTolerance: 0 });
  });

  it('refuses a configured tolerance outside [0, 1], naming the field', async () => {
    await expect(makeGuardHandler({ guard: new RecordingGuard() })({ ...event, qualityTolerance: 2 })).rejects.toThrow('qualityTolerance 2 is invalid: expected a number from 0 to 1');
  });

  it.each([
    [{ generation: 'Bad Name' }, /cluster generation "Bad Name" is invalid/],
    [{ generations: 'x' }, /unknown fields generations/],
    [[1], /must be a JSON object/],
    [{ qualityTolerance: '0.1' }, /input.qualityTolerance "0.1" is invalid: expected a number from 0 to 1/],
    [{ qualityTolerance: -0.5 }, /input.qualityTolerance -0.5 is invalid/],
  ])('rejects the input %j before claiming', async (input, message) => {
    const guard = new RecordingGuard();
    await expect(makeGuardHandler({ guard })({ ...event, input })).rejects.toThrow(message);
    expect(guard.claims).toEqual([]);
  });
});

describe('StepFunctionsExecutionGuard', () => {
  const started = new Date('2026-12-04T10:00:00Z');
  const clientWith = (pages: { executions: { executionArn: string; startDate: Date }[]; nextToken?: string }[]) => {
    const calls: unknown[] = [];
    return {
      calls,
      send: async (command: ListExecutionsCommand) => {
        calls.push(command.input);
        return pages[calls.length - 1] ?? { executions: [] };
      },
    };
  };

  it('lets the run go on when it is the only running execution', async () => {
    const client = clientWith([{ executions: [{ executionArn: execution('me'), startDate: started }] }]);
    await new StepFunctionsExecutionGuard({ client: client as never }).claim({ runId: execution('me'), startedAt: started });
    expect(client.calls).toEqual([{ stateMachineArn: MACHINE, statusFilter: 'RUNNING', nextToken: undefined }]);
  });

  it('refuses when an earlier execution is running, found on a later page, naming it', async () => {
    const client = clientWith([
      { executions: [{ executionArn: execution('me'), startDate: started }], nextToken: 'p2' },
      { executions: [{ executionArn: execution('older'), startDate: new Date('2026-12-04T09:00:00Z') }] },
    ]);
    const claim = new StepFunctionsExecutionGuard({ client: client as never }).claim({ runId: execution('me'), startedAt: started });
    await expect(claim).rejects.toBeInstanceOf(ConcurrentRunError);
    await expect(new StepFunctionsExecutionGuard({ client: clientWith([
      { executions: [{ executionArn: execution('older'), startDate: new Date('2026-12-04T09:00:00Z') }] },
    ]) as never }).claim({ runId: execution('me'), startedAt: started })).rejects.toThrow(/another retraining run is in progress \(.*:older, started 2026-12-04T09:00:00.000Z\)/);
  });

  it('lets exactly one of two executions that see each other go on', async () => {
    const pages = () => [{ executions: [{ executionArn: execution('a'), startDate: started }, { executionArn: execution('b'), startDate: started }] }];
    const a = new StepFunctionsExecutionGuard({ client: clientWith(pages()) as never }).claim({ runId: execution('a'), startedAt: started });
    const b = new StepFunctionsExecutionGuard({ client: clientWith(pages()) as never }).claim({ runId: execution('b'), startedAt: started });
    const outcomes = await Promise.allSettled([a, b]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('derives the state machine from the execution ARN', () => {
    expect(stateMachineArnOf(execution('x'))).toBe(MACHINE);
    expect(() => stateMachineArnOf('arn:aws:lambda:us-east-1:123456789012:function:f')).toThrow(/is not a Standard execution ARN/);
  });
});

describe('LockFileExecutionGuard', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guard-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = (runId: string): RunClaim => ({ runId, startedAt: new Date('2026-12-04T10:00:00Z') });

  it('refuses a second run while the first holds the lock, and allows it after release', async () => {
    const path = join(dir, 'state', 'pipeline.lock');
    const first = new LockFileExecutionGuard({ path, pid: 100, isAlive: () => true });
    const second = new LockFileExecutionGuard({ path, pid: 200, isAlive: () => true });
    await first.claim(run('run-1'));
    await first.claim(run('run-1'));
    await expect(second.claim(run('run-2'))).rejects.toThrow(/another pipeline run is in progress \(run-1, pid 100/);
    await second.release('run-2');
    await first.release('run-1');
    await second.claim(run('run-2'));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ runId: 'run-2', pid: 200 });
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const path = join(dir, 'pipeline.lock');
    await writeFile(path, JSON.stringify({ runId: 'crashed', pid: 4242, startedAt: 'x' }));
    await new LockFileExecutionGuard({ path, pid: 1, isAlive: (pid) => pid !== 4242 }).claim(run('run-3'));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ runId: 'run-3' });
  });
});
