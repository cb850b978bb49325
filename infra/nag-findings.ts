/**
 * Builds the ids of granular cdk-nag findings (`AwsSolutions-IAM5[Resource::<Logical.Arn>/prefix/*]`) from constructs,
 * so an acknowledgement follows a resource when its logical id changes instead of silently going stale.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `<LogicalId.Arn>` as cdk-nag prints a resource's ARN attribute. */
export function arnOf(resource: IConstruct): string {
  const element = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(resource).getLogicalId(element)}.Arn>`;
}

/** Acknowledges one wildcard resource of IAM5 on a role or policy, with the reason it is as narrow as it can be. */
export function acknowledgeWildcardResource(construct: IConstruct, resource: string, reason: string): void {
  Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
