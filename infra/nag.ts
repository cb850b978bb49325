/**
 * cdk-nag 3 runs as a CDK validation plugin: any AwsSolutions finding that is neither fixed nor acknowledged with a
 * reason (`Validations.of(construct).acknowledge`) fails `app.synth()` and is listed in the cloud assembly's report.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
