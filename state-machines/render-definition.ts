/**
 * The retraining definition as a plain ASL object, for asl-validator and the local runner. CloudFormation builds the
 * definition string with Fn::Join over references (function ARNs, the bucket name); here each reference becomes a
 * readable placeholder (`${Logical.Attr}`), which the local runner never calls: it keys its handlers by state name.
 */
import { Stack } from 'aws-cdk-lib';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AppError } from '../core/errors';
import type { RetrainingStateMachine } from './retraining-state-machine';

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** Reads the definition from the construct without synthesizing the app (no template, no asset staging). */
export function renderRetrainingDefinition(machine: RetrainingStateMachine): AslDefinition {
  const cfn = machine.stateMachine.node.defaultChild as CfnStateMachine;
  const stack = Stack.of(machine);
  return parseDefinitionString(stack.resolve(cfn.definitionString), { region: stack.region, account: stack.account, partition: 'aws' });
}

/** The `DefinitionString` of a synthesized `AWS::StepFunctions::StateMachine` (a string or an Fn::Join) as ASL. */
export function parseDefinitionString(value: unknown, pseudo: { region: string; account: string; partition: string }): AslDefinition {
  const text = flatten(value, pseudo);
  const definition = JSON.parse(text) as AslDefinition;
  if (typeof definition.StartAt !== 'string' || typeof definition.States !== 'object') {
    throw new AppError('the state machine definition has no StartAt/States');
  }
  return definition;
}

function flatten(value: unknown, pseudo: { region: string; account: string; partition: string }): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) throw new AppError(`cannot render ${JSON.stringify(value)} in a definition`);
  const intrinsic = value as Record<string, unknown>;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => flatten(part, pseudo)).join(separator);
  }
  if (typeof intrinsic.Ref === 'string') {
    const ref = intrinsic.Ref;
    if (ref === 'AWS::Region') return pseudo.region;
    if (ref === 'AWS::AccountId') return pseudo.account;
    if (ref === 'AWS::Partition') return pseudo.partition;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    return `\${${ref}}`;
  }
  if (Array.isArray(intrinsic['Fn::GetAtt'])) {
    const [logicalId, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    // ARN-shaped, so validators that check Resource ARNs accept it; the logical id says which resource it stands for.
    return attribute === 'Arn' ? `arn:${pseudo.partition}:cloudformation:${pseudo.region}:${pseudo.account}:resource/${logicalId}` : `\${${logicalId}.${attribute}}`;
  }
  throw new AppError(`cannot render the intrinsic ${Object.keys(intrinsic).join(', ')} in a definition`);
}
