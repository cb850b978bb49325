/**
 * The CDK app (`cdk.json` runs it with tsx): config from context and an optional config file, the stack, and the
 * cdk-nag AwsSolutions checks. A finding neither fixed nor acknowledged fails the synth.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadStackConfig } from './config';
import { ImageSearchStack } from './image-search-stack';
import { applyNagChecks } from './nag';

const startedAt = Date.now();
const app = new App();
const config = loadStackConfig((key) => app.node.tryGetContext(key));
new ImageSearchStack(app, config.stackName, { config, description: 'Personalized multimodal image search' });
applyNagChecks(app);
const report = join(app.outdir, 'validation-report.json');
try {
  app.synth();
} catch (error) {
  console.error(`cdk-nag: synth failed on findings that are neither fixed nor acknowledged; they are listed in ${report}`);
  throw error;
}
// Under the CDK CLI a failed validation may be reported without an exception, so the report decides.
const violations = countViolations(report);
if (violations > 0) {
  console.error(`cdk-nag: ${violations} finding(s) neither fixed nor acknowledged; they are listed in ${report}`);
  process.exitCode = 1;
} else {
  console.error(`cdk-nag: no unacknowledged AwsSolutions findings; acknowledgements with their reasons are in ${join(app.outdir, `${config.stackName}.metadata.json`)} (aws:cdk:acknowledged-rules)`);
}

function countViolations(file: string): number {
  // A report left by an earlier synth says nothing about this one.
  if (!existsSync(file) || statSync(file).mtimeMs < startedAt) return 0;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pluginReports?: { violations?: { violatingConstructs?: unknown[] }[] }[] };
  return (parsed.pluginReports ?? []).flatMap((p) => p.violations ?? []).reduce((n, v) => n + (v.violatingConstructs?.length ?? 1), 0);
}
