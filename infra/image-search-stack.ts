/**
 * The whole AWS deployment: data bucket, k-NN domain, Personalize dataset resources, the retraining state machine on
 * a schedule, and the serving API. Everything the pipeline creates outside CloudFormation is listed in docs/aws.md.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PIPELINE_PREFIXES } from '../state-machines/pipeline-keys';
import { RetrainingStateMachine } from '../state-machines/retraining-state-machine';
import type { StackConfig } from './config';
import { DataBucket } from './constructs/data-bucket';
import { PersonalizeResources } from './constructs/personalize-resources';
import { PipelineTeardown } from './constructs/pipeline-teardown';
import { RetrainingSchedule } from './constructs/retraining-schedule';
import { ServingApi } from './constructs/serving-api';
import { VectorDomain } from './constructs/vector-domain';
import { acknowledgeRetrainingFindings } from './retraining-acknowledgements';

export interface ImageSearchStackProps extends StackProps {
  readonly config: StackConfig;
}

/** Where the pipeline writes what Personalize imports: the cluster-level interactions of each run. */
export const PERSONALIZE_IMPORT_PREFIXES = [PIPELINE_PREFIXES.personalize] as const;

export class ImageSearchStack extends Stack {
  readonly data: DataBucket;
  readonly vectorDomain: VectorDomain;
  readonly personalize: PersonalizeResources;
  readonly retraining: RetrainingStateMachine;
  readonly schedule: RetrainingSchedule;
  readonly serving: ServingApi;
  /** Deletes what the pipeline created outside CloudFormation when the stack is deleted. */
  readonly teardown: PipelineTeardown;
  /** SSM path of the published serving generation. */
  readonly servingParameterPrefix: string;

  constructor(scope: Construct, id: string, props: ImageSearchStackProps) {
    super(scope, id, { ...props, env: props.env ?? { account: props.config.account, region: props.config.region } });
    const { config } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    this.servingParameterPrefix = `/${config.resourcePrefix}/serving`;

    this.data = new DataBucket(this, 'Data', { retain: config.retainData });
    this.data.allowPersonalizeRead(PERSONALIZE_IMPORT_PREFIXES, this.account);
    this.vectorDomain = new VectorDomain(this, 'Vectors', { config: config.domain, retain: config.retainData, logRetention });
    this.personalize = new PersonalizeResources(this, 'Personalize', {
      namePrefix: config.resourcePrefix,
      bucket: this.data.bucket,
      importPrefixes: PERSONALIZE_IMPORT_PREFIXES,
    });

    // Before the pipeline: "Publish generation" marks trained users in serving's user-history table.
    this.serving = new ServingApi(this, 'Serving', {
      domain: this.vectorDomain.domain,
      config: config.serving,
      parameterPrefix: this.servingParameterPrefix,
      // OpenSearchVectorIndex names an index prefix + generation; the pipeline's indexPrefix has no separator.
      indexPrefix: `${config.pipeline.indexPrefix}-`,
      alias: config.pipeline.alias,
      embeddingLength: config.pipeline.embeddingLength,
      campaignName: config.pipeline.campaignName,
      logRetention,
      retainData: config.retainData,
    });

    this.retraining = new RetrainingStateMachine(this, 'Retraining', {
      dataBucket: this.data.bucket,
      domain: this.vectorDomain.domain,
      datasetGroupArn: this.personalize.datasetGroupArn,
      interactionsDatasetArn: this.personalize.interactionsDatasetArn,
      personalizeRole: this.personalize.role,
      settings: config.pipeline,
      servingParameterPrefix: this.servingParameterPrefix,
      userHistoryTable: this.serving.userHistory,
    });
    acknowledgeRetrainingFindings({
      retraining: this.retraining,
      bucket: this.data.bucket,
      domain: this.vectorDomain.domain,
      solutionName: config.pipeline.personalizeSolutionName,
      servingParameterPrefix: this.servingParameterPrefix,
    });
    this.schedule = new RetrainingSchedule(this, 'Schedule', {
      stateMachine: this.retraining.stateMachine,
      expression: config.schedule,
      enabled: config.scheduleEnabled,
    });


    this.teardown = new PipelineTeardown(this, 'Teardown', {
      datasetGroupArn: this.personalize.datasetGroupArn,
      campaignName: config.pipeline.campaignName,
      solutionName: config.pipeline.personalizeSolutionName,
      domain: this.vectorDomain.domain,
      indexPrefix: `${config.pipeline.indexPrefix}-`,
      alias: config.pipeline.alias,
      parameterPrefix: this.servingParameterPrefix,
      // A retained domain keeps its index: serving can resume on it after a redeploy.
      keepIndex: config.retainData,
      logRetention,
    });
    // CloudFormation deletes in reverse dependency order: the teardown runs while what it cleans still exists, and
    // after the schedule is gone, so no scheduled run starts creating resources behind it.
    this.teardown.dependOn(this.data, this.vectorDomain, this.personalize, this.retraining, this.serving);
    this.schedule.node.addDependency(this.teardown.resource);

    new CfnOutput(this, 'ApiUrl', { value: this.serving.api.url });
    new CfnOutput(this, 'ApiKeyId', { value: this.serving.apiKey.keyId, description: 'aws apigateway get-api-key --api-key <id> --include-value' });
    new CfnOutput(this, 'DataBucketName', { value: this.data.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.retraining.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DomainEndpoint', { value: this.vectorDomain.domain.domainEndpoint });
    new CfnOutput(this, 'ServingParameterPrefix', { value: this.servingParameterPrefix });
    // What the operator commands (core/aws/stack-outputs.ts) read to find the teardown's resources and the schedule.
    new CfnOutput(this, 'DatasetGroupArn', { value: this.personalize.datasetGroupArn });
    new CfnOutput(this, 'IndexPrefix', { value: `${config.pipeline.indexPrefix}-`, description: 'index name = prefix + generation' });
    new CfnOutput(this, 'IndexAlias', { value: config.pipeline.alias });
    new CfnOutput(this, 'ScheduleRuleName', { value: this.schedule.rule.ruleName });
  }
}
