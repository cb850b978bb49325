/**
 * The cdk-nag findings of the retraining state machine that are acknowledged rather than fixed, each with the reason
 * its permission is as narrow as the service allows. Ids are built from the constructs, so an acknowledgement follows
 * a resource whose logical id changes instead of going stale; one finding left out fails `npm run synth`.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { RetrainingStateMachine } from '../state-machines/retraining-state-machine';
import { PIPELINE_PREFIXES, TRAINED_USERS_FILE } from '../state-machines/pipeline-keys';
import { arnOf } from './nag-findings';

export interface RetrainingAcknowledgementProps {
  readonly retraining: RetrainingStateMachine;
  readonly bucket: IBucket;
  /** The OpenSearch domain construct (for its ARN's logical id). */
  readonly domain: IConstruct;
  /** Personalize solution name, from the pipeline settings. */
  readonly solutionName: string;
  readonly servingParameterPrefix: string;
}

export function acknowledgeRetrainingFindings(props: RetrainingAcknowledgementProps): void {
  const { retraining } = props;
  const stack = Stack.of(retraining);
  const at = (id: string, reason: string) => Validations.of(retraining).acknowledge({ id, reason });
  const iam5 = (resource: string, reason: string) => at(`AwsSolutions-IAM5[Resource::${resource}]`, reason);
  const arn = (service: string, resource: string) => `arn:<AWS::Partition>:${service}:${stack.region}:${stack.account}:${resource}`;
  const bucket = arnOf(props.bucket);
  const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  at(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The task Lambdas write only their own CloudWatch logs; the basic execution policy grants exactly logs:CreateLogGroup, CreateLogStream and PutLogEvents.',
  );
  iam5(
    '*',
    'Only actions without resource-level permissions: X-Ray PutTraceSegments/PutTelemetryRecords (tracing), ECR GetAuthorizationToken ' +
      'and CloudWatch PutMetricData (the SageMaker K-Means job), sagemaker:ListTags (the .sync integration), personalize:ListEventTrackers, and the CloudWatch Logs ' +
      'delivery actions Step Functions logging needs (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).',
  );
  for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
    at(`AwsSolutions-IAM5[Action::${action}]`, `CDK's bucket grant expands to the ${action} family, always limited to one pipeline prefix of the data bucket.`);
  }
  for (const prefix of Object.values(PIPELINE_PREFIXES)) {
    iam5(`${bucket}/${prefix}*`, `Objects under ${prefix} are named per run and per batch at run time; access stays inside this one prefix.`);
  }
  iam5(
    `${bucket}/${PIPELINE_PREFIXES.personalize}*/${TRAINED_USERS_FILE}`,
    'Publish reads the trained-users file of the generation it publishes, whose folder is named per run; only that file name under this one prefix.',
  );
  iam5(`${bucket}/kmeans/models/*`, 'SageMaker writes the K-Means model artifact under a per-run job name chosen at run time.');
  iam5(`arn:<AWS::Partition>:s3:::<${logicalId(props.bucket)}>/*`, "The Distributed Map's item reader and result writer read the manifest and write results in the data bucket under keys given at run time.");
  iam5(`${arnOf(props.domain)}/*`, 'Index generations are created, aliased and deleted by name at run time; access is limited to this one domain.');
  iam5(arn('ssm', `parameter${props.servingParameterPrefix}/*`), 'The pipeline publishes the serving parameters under one path prefix, written together at each generation.');
  iam5(arn('logs', 'log-group:/aws/sagemaker/*'), "SageMaker jobs log to log groups it names per job under /aws/sagemaker/.");
  for (const resource of ['training-job/*', 'model/*', 'transform-job/*']) {
    iam5(arn('sagemaker', resource), 'SageMaker training jobs, models and transform jobs are named per run at run time.');
  }
  for (const resource of ['dataset-import-job/*', `solution/${props.solutionName}/*`, 'event-tracker/*']) {
    iam5(arn('personalize', resource), 'Personalize import jobs, solution versions and the event tracker get ids assigned at run time.');
  }
  const functions = retraining.functions;
  for (const fn of functions.all) {
    iam5(`${arnOf(fn)}:*`, "CDK's LambdaInvoke grant covers the function's versions and aliases (the :* qualifier); it names one function.");
  }
  const machine = logicalId(retraining.stateMachine);
  const executions = arn('states', `execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}`);
  for (const suffix of [':*', '/*:*']) {
    iam5(`${executions}${suffix}`, "The Distributed Map runs its child executions under this state machine's own executions, named at run time.");
  }
}
