/**
 * The retraining pipeline as a Standard, JSONPath state machine: guard, embed (Distributed Map), cluster (SageMaker
 * K-Means), rewrite interactions, retrain Personalize, check the new model against the serving one (quality gate),
 * deploy it, index a new generation, publish it in one step, clean up.
 * Any failure goes to one path that publishes a failure event and fails: the alias and the SSM parameters are only
 * touched by "Publish generation", so until then the previous generation keeps serving. A model the gate rejects ends
 * at its own Fail state ("Model rejected", error ModelRejected) after the quality event, not on the failure path.
 *
 * Every state has a fixed, readable name because the local runner (aws-local-stepfunctions) keys its handlers by
 * state name; every Lambda step is a `tasks/` handler that the local runner can call with local adapters.
 */
import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { kmeansImageUri } from './kmeans-image';
import { KmeansSteps } from './kmeans-steps';
import { PIPELINE_PREFIXES, TRAINED_USERS_FILE } from './pipeline-keys';
import type { PipelineSettings } from './pipeline-settings';
import { validatePipelineSettings } from './pipeline-settings';
import { personalizeSteps } from './personalize-steps';
import { pipelineEvent } from './pipeline-event';
import { retryThrottling } from './retry-throttling';
import { TaskFunctions } from './task-functions';

/** A state that can take the main Catch: tasks and the Distributed Map. */
interface Catchable {
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown;
}

export const SUCCESS_DETAIL_TYPE = 'Retraining Succeeded';
export const FAILURE_DETAIL_TYPE = 'Retraining Failed';

export interface RetrainingStateMachineProps {
  /** Bucket holding images/, interactions/ and the pipeline's prefixes. */
  readonly dataBucket: s3.IBucket;
  /** The k-NN domain the pipeline indexes into; its access policy must allow `domainClientRoles`. */
  readonly domain: opensearch.IDomain;
  /** Personalize dataset group (CloudFormation-managed). */
  readonly datasetGroupArn: string;
  /** Personalize interactions dataset the import jobs load into. */
  readonly interactionsDatasetArn: string;
  /** Role Personalize assumes to read the bucket during imports. */
  readonly personalizeRole: iam.IRole;
  /** Validated at synth time. */
  readonly settings: PipelineSettings;
  /** SSM parameter path prefix the pipeline publishes to and serving reads, e.g. `/image-search/serving`. */
  readonly servingParameterPrefix: string;
  /** Bus for the success, failure and quality events. @default the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /**
   * Serving's table of users with history (partition key `userId`): "Publish generation" marks every trained user in
   * it, so serving personalises them before their first live event. @default no table: trained users are not marked
   */
  readonly userHistoryTable?: dynamodb.ITable;
}

export class RetrainingStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The Lambda functions of the steps. */
  readonly functions: TaskFunctions;
  /** Roles that call the OpenSearch domain (index, publish, cleanup): allow them in the domain's access policy. */
  readonly domainClientRoles: iam.IRole[];
  /** The role SageMaker assumes for the K-Means jobs. */
  readonly sagemakerRole: iam.IRole;

  constructor(scope: Construct, id: string, props: RetrainingStateMachineProps) {
    super(scope, id);
    // Without this flag the Distributed Map silently drops `resultWriterV2`; set on this scope only, before any child.
    this.node.setContext(cxapi.STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);
    const settings = validatePipelineSettings(props.settings);
    if (!/^\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.-]$/.test(props.servingParameterPrefix) || props.servingParameterPrefix.includes('//')) {
      throw new ValidationError(
        `servingParameterPrefix "${props.servingParameterPrefix}" is invalid: expected an SSM path like "/image-search/serving" (leading "/", no trailing "/")`,
        { field: 'servingParameterPrefix' },
      );
    }
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      throw new ValidationError('RetrainingStateMachine needs a stack with an explicit env region (to pick the SageMaker K-Means image)', { field: 'region' });
    }
    kmeansImageUri(stack.region);
    const bucket = props.dataBucket;
    // A fixed name lets the guard's policy name the state machine without a circular reference to it.
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.functions = new TaskFunctions(this, 'Tasks', {
      dataBucket: bucket,
      domain: props.domain,
      settings,
      servingParameterPrefix: props.servingParameterPrefix,
      stateMachineArn,
      ...(props.userHistoryTable && { userHistoryTable: props.userHistoryTable }),
    });
    const fns = this.functions;
    this.domainClientRoles = fns.domainClientRoles;

    const catchable: Catchable[] = [];
    const step = (name: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({ step: name, executionId: sfn.JsonPath.executionId, ...payload }),
        resultPath,
      });
      retryThrottling(task, 'Lambda');
      catchable.push(task);
      return task;
    };
    const generation = sfn.JsonPath.stringAt('$.run.generation');

    // Failure path: a failure event carrying the cause, then Fail with the same error and cause.
    const failed = new sfn.Fail(this, 'Retraining failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const publishFailure = pipelineEvent(this, 'Publish failure event', {
      source: settings.eventSource,
      detailType: FAILURE_DETAIL_TYPE,
      eventBus: props.eventBus,
      detail: sfn.TaskInput.fromObject({
        execution: sfn.JsonPath.executionId,
        error: sfn.JsonPath.stringAt('$.error.Error'),
        cause: sfn.JsonPath.stringAt('$.error.Cause'),
      }),
    });
    publishFailure.addCatch(failed, { resultPath: sfn.JsonPath.DISCARD });
    publishFailure.next(failed);

    const guard = step('Check no other run', fns.guard, {
      startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      input: sfn.JsonPath.entirePayload,
      qualityTolerance: settings.qualityTolerance,
    }, '$.run');

    const keys = new sfn.Pass(this, 'Plan run keys', {
      parameters: {
        'embeddingsPrefix.$': `States.Format('${PIPELINE_PREFIXES.embeddings}{}/', $.run.generation)`,
        'kmeansTrainKey.$': `States.Format('${PIPELINE_PREFIXES.kmeans}{}/train/embeddings.csv', $.run.generation)`,
        'kmeansTrainUri.$': `States.Format('s3://${bucket.bucketName}/${PIPELINE_PREFIXES.kmeans}{}/train/', $.run.generation)`,
        'kmeansIdsKey.$': `States.Format('${PIPELINE_PREFIXES.kmeans}{}/ids.txt', $.run.generation)`,
        'transformOutputPrefix.$': `States.Format('${PIPELINE_PREFIXES.kmeans}{}/assigned/', $.run.generation)`,
        'transformOutputUri.$': `States.Format('s3://${bucket.bucketName}/${PIPELINE_PREFIXES.kmeans}{}/assigned/', $.run.generation)`,
        'assignmentsKey.$': `States.Format('${PIPELINE_PREFIXES.assignments}{}.jsonl', $.run.generation)`,
        'interactionsKey.$': `States.Format('${PIPELINE_PREFIXES.personalize}{}/interactions.csv', $.run.generation)`,
        'interactionsUri.$': `States.Format('s3://${bucket.bucketName}/${PIPELINE_PREFIXES.personalize}{}/interactions.csv', $.run.generation)`,
        'usersKey.$': `States.Format('${PIPELINE_PREFIXES.personalize}{}/${TRAINED_USERS_FILE}', $.run.generation)`,
      },
      resultPath: '$.keys',
    });

    // Children are Express: each is one short Lambda call, and Express bills per request instead of per transition.
    const embed = new sfn.DistributedMap(this, 'Embed images', {
      itemReader: new sfn.S3JsonLItemReader({ bucket, key: settings.manifestKey }),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: settings.embedBatchSize,
        batchInput: { 'generation.$': '$.run.generation', 'embeddingsPrefix.$': '$.keys.embeddingsPrefix' },
      }),
      maxConcurrency: settings.maxConcurrency,
      toleratedFailurePercentage: settings.toleratedFailurePercentage,
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      resultWriterV2: new sfn.ResultWriterV2({ bucket, prefix: `${PIPELINE_PREFIXES.runs}embed-results` }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const embedBatch = new tasks.LambdaInvoke(this, 'Embed batch', {
      lambdaFunction: fns.embedBatch,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        step: 'Embed batch',
        executionId: sfn.JsonPath.executionId,
        generation: sfn.JsonPath.stringAt('$.BatchInput.generation'),
        embeddingsPrefix: sfn.JsonPath.stringAt('$.BatchInput.embeddingsPrefix'),
        dimension: settings.embeddingLength,
        items: sfn.JsonPath.listAt('$.Items'),
      }),
    });
    retryThrottling(embedBatch, 'Lambda');
    embed.itemProcessor(embedBatch);
    catchable.push(embed);

    const prepare = step('Prepare K-Means input', fns.prepareKmeansInput, {
      generation,
      embeddingsPrefix: sfn.JsonPath.stringAt('$.keys.embeddingsPrefix'),
      trainKey: sfn.JsonPath.stringAt('$.keys.kmeansTrainKey'),
      idsKey: sfn.JsonPath.stringAt('$.keys.kmeansIdsKey'),
      k: settings.k,
      dimension: settings.embeddingLength,
    }, '$.kmeansInput');

    const kmeans = new KmeansSteps(this, 'KMeans', { bucket, settings, tasks: catchable });
    this.sagemakerRole = kmeans.role;

    const assignments = step('Write cluster assignments', fns.writeAssignments, {
      idsKey: sfn.JsonPath.stringAt('$.keys.kmeansIdsKey'),
      transformOutputPrefix: sfn.JsonPath.stringAt('$.keys.transformOutputPrefix'),
      assignmentsKey: sfn.JsonPath.stringAt('$.keys.assignmentsKey'),
      k: settings.k,
    }, '$.assignments');

    const rewrite = step('Rewrite interactions', fns.rewriteInteractions, {
      interactionsKey: settings.interactionsKey,
      assignmentsKey: sfn.JsonPath.stringAt('$.keys.assignmentsKey'),
      outputKey: sfn.JsonPath.stringAt('$.keys.interactionsKey'),
      usersKey: sfn.JsonPath.stringAt('$.keys.usersKey'),
      clusterGeneration: generation,
    }, '$.interactions');

    const checkQuality = step('Check model quality', fns.checkModelQuality, {
      generation,
      candidateMetrics: sfn.JsonPath.objectAt('$.candidateMetrics.metrics'),
      servingMetrics: sfn.JsonPath.objectAt('$.servingMetrics.metrics'),
      tolerance: sfn.JsonPath.numberAt('$.run.qualityTolerance'),
    }, '$.quality');

    const personalize = personalizeSteps(this, {
      settings,
      datasetGroupArn: props.datasetGroupArn,
      interactionsDatasetArn: props.interactionsDatasetArn,
      personalizeRole: props.personalizeRole,
      onFailure: publishFailure,
      checkQuality,
      ...(props.eventBus && { eventBus: props.eventBus }),
      tasks: catchable,
    });

    const index = step('Index images', fns.indexImages, {
      generation,
      embeddingsPrefix: sfn.JsonPath.stringAt('$.keys.embeddingsPrefix'),
      assignmentsKey: sfn.JsonPath.stringAt('$.keys.assignmentsKey'),
      manifestKey: settings.manifestKey,
      dimension: settings.embeddingLength,
    }, '$.index');

    const publish = step('Publish generation', fns.publishGeneration, {
      generation,
      clusterGeneration: generation,
      clusterCount: settings.k,
      campaignArn: sfn.JsonPath.stringAt('$.campaign.arn'),
      trackingId: sfn.JsonPath.stringAt('$.tracker.trackingId'),
      alias: settings.alias,
      usersKey: sfn.JsonPath.stringAt('$.keys.usersKey'),
    }, '$.published');

    const cleanup = step('Clean up generations', fns.cleanupGenerations, {
      alias: settings.alias,
      retention: settings.retention,
    }, '$.cleanup');

    const publishSuccess = pipelineEvent(this, 'Publish success event', {
      source: settings.eventSource,
      detailType: SUCCESS_DETAIL_TYPE,
      eventBus: props.eventBus,
      detail: sfn.TaskInput.fromObject({
        execution: sfn.JsonPath.executionId,
        generation,
        imagesEmbedded: sfn.JsonPath.numberAt('$.kmeansInput.images'),
        imagesIndexed: sfn.JsonPath.numberAt('$.index.indexed'),
        clustersUsed: sfn.JsonPath.numberAt('$.assignments.clusters'),
        interactions: sfn.JsonPath.numberAt('$.interactions.rowsWritten'),
        solutionVersionArn: sfn.JsonPath.stringAt('$.solutionVersion.arn'),
        campaignArn: sfn.JsonPath.stringAt('$.campaign.arn'),
        quality: sfn.JsonPath.objectAt('$.quality.verdict'),
        previousGeneration: sfn.JsonPath.stringAt('$.published.previous'),
        deletedGenerations: sfn.JsonPath.listAt('$.cleanup.deleted'),
      }),
    });
    catchable.push(publishSuccess);

    for (const task of catchable) task.addCatch(publishFailure, { resultPath: '$.error' });

    const definition = sfn.Chain.start(guard)
      .next(keys)
      .next(embed)
      .next(prepare)
      .next(kmeans.chain)
      .next(assignments)
      .next(rewrite)
      .next(personalize)
      .next(index)
      .next(publish)
      .next(cleanup)
      .next(publishSuccess)
      .next(new sfn.Succeed(this, 'Retraining succeeded'));

    const maxPollHours = (3 * settings.pollIntervalSeconds * settings.maxPollAttempts) / 3600;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // Three bounded polls, two SageMaker jobs, and a margin for embedding and indexing.
      timeout: Duration.hours(Math.ceil(maxPollHours + 2 * settings.sagemakerMaxRuntimeHours + 6)),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
  }
}
