/**
 * The retraining schedule as the EventBridge rule that targets the state machine (infra/constructs/retraining-schedule.ts):
 * read it, switch it on or off, change its expression. The rule belongs to the stack, so the next `cdk deploy` puts
 * back the configured expression and state; the operator's change lasts until then.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */
import {
  DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, ListRuleNamesByTargetCommand, PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import type { DescribeRuleCommandOutput, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AppError, NotFoundError } from '../errors';
import type { ScheduleState } from '../ports/pipeline-control';
import { assertScheduleExpression } from '../retraining-schedule';
import { errorName } from './retry';

export interface EventBridgeScheduleProps {
  readonly client: Pick<EventBridgeClient, 'send'>;
  /** The rule is the one whose target is this state machine. */
  readonly stateMachineArn: string;
  /** The stack's ScheduleRuleName output; saves the ListRuleNamesByTarget lookup. @default looked up by target */
  readonly ruleName?: string;
}

export class EventBridgeSchedule {
  private readonly client: Pick<EventBridgeClient, 'send'>;
  private readonly stateMachineArn: string;
  private ruleName: string | undefined;

  constructor(props: EventBridgeScheduleProps) {
    this.client = props.client;
    this.stateMachineArn = props.stateMachineArn;
    this.ruleName = props.ruleName;
  }

  async read(): Promise<ScheduleState> {
    return toState(await this.describe(await this.name()));
  }

  async setEnabled(enabled: boolean): Promise<ScheduleState> {
    const Name = await this.name();
    await this.call(Name, () => this.client.send(enabled ? new EnableRuleCommand({ Name }) : new DisableRuleCommand({ Name })));
    return toState(await this.describe(Name));
  }

  async setExpression(expression: string): Promise<ScheduleState> {
    assertScheduleExpression(expression, 'expression');
    const Name = await this.name();
    const rule = await this.describe(Name);
    // PutRule replaces the whole rule: a field left out is reset, not kept, so every current setting goes back in.
    // Tags are only applied when a rule is created, and the targets are separate (PutTargets): both stay as they are.
    await this.call(Name, () => this.client.send(new PutRuleCommand({
      Name,
      ScheduleExpression: expression,
      ...(rule.State !== undefined && { State: rule.State }),
      ...(rule.Description !== undefined && { Description: rule.Description }),
      ...(rule.EventBusName !== undefined && { EventBusName: rule.EventBusName }),
      ...(rule.RoleArn !== undefined && { RoleArn: rule.RoleArn }),
      ...(rule.EventPattern !== undefined && { EventPattern: rule.EventPattern }),
    })));
    return toState(await this.describe(Name));
  }

  /** The rule's name, looked up once by its target. */
  private async name(): Promise<string> {
    if (this.ruleName !== undefined) return this.ruleName;
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListRuleNamesByTargetCommand({ TargetArn: this.stateMachineArn, NextToken }));
      names.push(...(page.RuleNames ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    if (names.length === 0) {
      throw new NotFoundError(
        `no EventBridge rule on the default event bus targets ${this.stateMachineArn}: the stack's schedule ` +
          '(infra/constructs/retraining-schedule.ts) is not deployed, or the state machine ARN is not the stack\'s',
      );
    }
    if (names.length > 1) {
      throw new AppError(`${names.length} EventBridge rules target ${this.stateMachineArn} (${names.join(', ')}): pass the one to change with --stack (its ScheduleRuleName output)`);
    }
    this.ruleName = names[0] as string;
    return this.ruleName;
  }

  private describe(Name: string): Promise<DescribeRuleCommandOutput> {
    return this.call(Name, () => this.client.send(new DescribeRuleCommand({ Name })));
  }

  private async call<T>(name: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new NotFoundError(`EventBridge rule "${name}" does not exist: redeploy the stack (npx cdk deploy) to create the schedule`, { cause: error });
      }
      throw error;
    }
  }
}

function toState(rule: DescribeRuleCommandOutput): ScheduleState {
  if (rule.Name === undefined || rule.ScheduleExpression === undefined) {
    throw new AppError(`EventBridge rule "${rule.Name ?? '?'}" has no schedule expression: it is not the retraining schedule`);
  }
  // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is enabled too.
  return { name: rule.Name, expression: rule.ScheduleExpression, enabled: rule.State?.startsWith('ENABLED') === true };
}
