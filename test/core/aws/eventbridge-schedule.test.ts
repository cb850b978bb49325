import {
  DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand, PutRuleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeSchedule } from '../../../core/aws/eventbridge-schedule';
import { NotFoundError, ValidationError } from '../../../core/errors';

const client = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);
const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:Retraining';
const ruleName = 'ImageSearch-ScheduleRule1234-ABCDEF';
const rule = {
  Name: ruleName,
  Arn: `arn:aws:events:us-east-1:123456789012:rule/${ruleName}`,
  ScheduleExpression: 'cron(0 3 ? * SUN *)',
  State: 'ENABLED' as const,
  Description: 'Starts the retraining state machine',
  EventBusName: 'default',
};

const schedule = (name?: string) => new EventBridgeSchedule({ client, stateMachineArn: machine, ...(name !== undefined && { ruleName: name }) });

beforeEach(() => {
  mock.reset();
  mock.on(ListRuleNamesByTargetCommand, { TargetArn: machine, NextToken: undefined }).resolves({ RuleNames: [], NextToken: 'n2' });
  mock.on(ListRuleNamesByTargetCommand, { TargetArn: machine, NextToken: 'n2' }).resolves({ RuleNames: [ruleName] });
});

describe('EventBridgeSchedule', () => {
  it('finds the rule by its target, paging, and reads its expression and state', async () => {
    mock.on(DescribeRuleCommand, { Name: ruleName }).resolves(rule);

    expect(await schedule().read()).toEqual({ name: ruleName, expression: 'cron(0 3 ? * SUN *)', enabled: true });
    expect(mock.commandCalls(ListRuleNamesByTargetCommand)).toHaveLength(2);
  });

  it('uses the rule name from the stack outputs without looking it up', async () => {
    mock.on(DescribeRuleCommand, { Name: ruleName }).resolves({ ...rule, State: 'DISABLED' });
    expect((await schedule(ruleName).read()).enabled).toBe(false);
    expect(mock.commandCalls(ListRuleNamesByTargetCommand)).toHaveLength(0);
  });

  it('disables and enables the found rule, then reports its new state', async () => {
    mock.on(DescribeRuleCommand).resolvesOnce({ ...rule, State: 'DISABLED' }).resolvesOnce(rule);
    const target = schedule();

    expect((await target.setEnabled(false)).enabled).toBe(false);
    expect((await target.setEnabled(true)).enabled).toBe(true);

    expect(mock.commandCalls(DisableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: ruleName }]);
    expect(mock.commandCalls(EnableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: ruleName }]);
    // The name is looked up once.
    expect(mock.commandCalls(ListRuleNamesByTargetCommand)).toHaveLength(2);
  });

  it('changes the expression with PutRule, keeping the name, state, description and bus of the rule', async () => {
    mock.on(DescribeRuleCommand).resolvesOnce({ ...rule, State: 'DISABLED' }).resolves({ ...rule, State: 'DISABLED', ScheduleExpression: 'rate(1 day)' });

    const state = await schedule().setExpression('rate(1 day)');

    expect(mock.commandCalls(PutRuleCommand).map((c) => c.args[0].input)).toEqual([{
      Name: ruleName,
      ScheduleExpression: 'rate(1 day)',
      State: 'DISABLED',
      Description: 'Starts the retraining state machine',
      EventBusName: 'default',
    }]);
    expect(state).toEqual({ name: ruleName, expression: 'rate(1 day)', enabled: false });
  });

  it.each(['weekly', 'rate(7 weeks)', 'cron(0 3 * * *)', ''])('refuses the expression %j before any call', async (expression) => {
    await expect(schedule().setExpression(expression)).rejects.toThrow(ValidationError);
    expect(mock.calls()).toHaveLength(0);
  });

  it('says so when no rule targets the state machine', async () => {
    mock.on(ListRuleNamesByTargetCommand).resolves({ RuleNames: [] });
    await expect(schedule().read()).rejects.toThrow(NotFoundError);
    await expect(schedule().read()).rejects.toThrow(/no EventBridge rule .* targets arn:aws:states:us-east-1:123456789012:stateMachine:Retraining/);
  });

  it('turns a rule that no longer exists into a NotFoundError naming it', async () => {
    mock.on(DescribeRuleCommand).rejects(new ResourceNotFoundException({ message: 'Rule does not exist', $metadata: {} }));
    await expect(schedule('gone-rule').read()).rejects.toThrow(/rule "gone-rule" does not exist/);
  });
});
