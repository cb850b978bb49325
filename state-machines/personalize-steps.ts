/**
 * The Personalize part of the pipeline as SDK integrations (no `.sync` exists for Personalize): import the
 * interactions, ensure the event tracker, train a solution version, pass it through the quality gate, create or
 * update the campaign; each wait is a bounded poll. https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { boundedPoll, personalizeFailed } from './bounded-poll';
import type { PipelineSettings } from './pipeline-settings';
import { qualityGate } from './quality-gate-steps';
import type { PersonalizeSdkTask } from './quality-gate-steps';
import { retryThrottling } from './retry-throttling';

export const ALREADY_EXISTS = 'Personalize.ResourceAlreadyExistsException';

export interface PersonalizeStepsProps {
  readonly settings: PipelineSettings;
  readonly datasetGroupArn: string;
  readonly interactionsDatasetArn: string;
  readonly personalizeRole: iam.IRole;
  /** Where the failure path starts; polls write `$.error` before going there. */
  readonly onFailure: sfn.IChainable;
  /** The quality gate's Lambda step ("Check model quality"), writing `$.quality`; see quality-gate-steps.ts. */
  readonly checkQuality: sfn.INextable & sfn.IChainable;
  /** Bus of the quality event. @default the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /** Collects every task so the caller can give each the main Catch. */
  readonly tasks: { addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown }[];
}

/** Import -> event tracker -> solution version -> quality gate -> campaign, as one chain reading `$.run`, `$.keys`. */
export function personalizeSteps(scope: Construct, props: PersonalizeStepsProps): sfn.Chain {
  const { settings } = props;
  const stack = Stack.of(scope);
  const arn = (resource: string, name: string): string => stack.formatArn({ service: 'personalize', resource, resourceName: name });
  const interval = Duration.seconds(settings.pollIntervalSeconds);
  const sdk: PersonalizeSdkTask = (id, action, parameters, iamResources, more = {}) => {
    const task = new tasks.CallAwsService(scope, id, {
      service: 'personalize',
      action,
      parameters,
      iamResources,
      iamAction: `personalize:${action.charAt(0).toUpperCase()}${action.slice(1)}`,
      ...more,
    });
    retryThrottling(task, 'Personalize');
    props.tasks.push(task);
    return task;
  };
  const poll = (subject: string, describe: sfn.TaskStateBase, statusPath: string, counter: string, failedError: string, conditions?: { ready: sfn.Condition; failed: sfn.Condition }) =>
    boundedPoll(scope, {
      subject,
      describe,
      statusPath,
      ready: conditions?.ready ?? sfn.Condition.stringEquals(statusPath, 'ACTIVE'),
      failed: conditions?.failed ?? personalizeFailed(statusPath),
      counterPath: `$.polls.${counter}`,
      interval,
      maxAttempts: settings.maxPollAttempts,
      failedError,
      onFailure: props.onFailure,
    });

  // FULL replaces the bulk interactions: item ids are cluster ids of this run's clustering. Events recorded by the
  // tracker are kept by Personalize (they are not bulk data).
  const importJob = sdk('Import interactions', 'createDatasetImportJob', {
    JobName: sfn.JsonPath.format('import-{}', sfn.JsonPath.stringAt('$.run.generation')),
    DatasetArn: props.interactionsDatasetArn,
    DataSource: { DataLocation: sfn.JsonPath.stringAt('$.keys.interactionsUri') },
    RoleArn: props.personalizeRole.roleArn,
    ImportMode: 'FULL',
  }, [props.interactionsDatasetArn, arn('dataset-import-job', '*')], {
    additionalIamStatements: [new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [props.personalizeRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
    })],
    resultSelector: { 'arn.$': '$.DatasetImportJobArn' },
    resultPath: '$.import',
  });
  const describeImport = sdk('Describe import', 'describeDatasetImportJob', { DatasetImportJobArn: sfn.JsonPath.stringAt('$.import.arn') },
    [arn('dataset-import-job', '*')], { resultSelector: { 'status.$': '$.DatasetImportJob.Status' }, resultPath: '$.importStatus' });

  // One event tracker per dataset group, created by the first run: CloudFormation has no resource for it.
  // Personalize's List* actions have no resource-level permissions, so this one statement is on "*".
  const listTrackers = sdk('List event trackers', 'listEventTrackers', { DatasetGroupArn: props.datasetGroupArn },
    ['*'], { resultSelector: { 'trackers.$': '$.EventTrackers' }, resultPath: '$.eventTrackers' });
  const describeTracker = sdk('Describe event tracker', 'describeEventTracker', {
    EventTrackerArn: sfn.JsonPath.stringAt('$.eventTrackers.trackers[0].EventTrackerArn'),
  }, [arn('event-tracker', '*')], { resultSelector: { 'trackingId.$': '$.EventTracker.TrackingId' }, resultPath: '$.tracker' });
  const createTracker = sdk('Create event tracker', 'createEventTracker', {
    DatasetGroupArn: props.datasetGroupArn,
    Name: settings.eventTrackerName,
  }, [props.datasetGroupArn, arn('event-tracker', '*')], { resultSelector: { 'trackingId.$': '$.TrackingId' }, resultPath: '$.tracker' });
  const tracker = new sfn.Choice(scope, 'Event tracker exists?')
    .when(sfn.Condition.isPresent('$.eventTrackers.trackers[0]'), describeTracker)
    .otherwise(createTracker)
    .afterwards();

  // The solution is created once; automatic training is off because the pipeline decides when to retrain.
  const solutionArn = arn('solution', settings.personalizeSolutionName);
  const createSolution = sdk('Create solution', 'createSolution', {
    Name: settings.personalizeSolutionName,
    DatasetGroupArn: props.datasetGroupArn,
    RecipeArn: settings.recipeArn,
    PerformAutoTraining: false,
  }, [props.datasetGroupArn, solutionArn, settings.recipeArn], { resultPath: sfn.JsonPath.DISCARD });
  const solutionExists = new sfn.Pass(scope, 'Solution exists');
  createSolution.addCatch(solutionExists, { errors: [ALREADY_EXISTS], resultPath: sfn.JsonPath.DISCARD });
  const trainVersion = sdk('Train solution version', 'createSolutionVersion', { SolutionArn: solutionArn, TrainingMode: 'FULL' },
    [solutionArn, arn('solution', `${settings.personalizeSolutionName}/*`)], {
      resultSelector: { 'arn.$': '$.SolutionVersionArn' },
      resultPath: '$.solutionVersion',
    });
  // A solution created a moment ago is still CREATE PENDING and refuses new versions for a minute or two.
  trainVersion.addRetry({ errors: ['Personalize.ResourceInUseException'], interval: Duration.seconds(30), backoffRate: 1.5, maxAttempts: 8 });
  const describeVersion = sdk('Describe solution version', 'describeSolutionVersion', {
    SolutionVersionArn: sfn.JsonPath.stringAt('$.solutionVersion.arn'),
  }, [arn('solution', `${settings.personalizeSolutionName}/*`)], { resultSelector: { 'status.$': '$.SolutionVersion.Status' }, resultPath: '$.solutionVersionStatus' });

  const campaignArn = arn('campaign', settings.campaignName);
  const createCampaign = sdk('Create campaign', 'createCampaign', {
    Name: settings.campaignName,
    SolutionVersionArn: sfn.JsonPath.stringAt('$.solutionVersion.arn'),
    MinProvisionedTPS: settings.minProvisionedTps,
  }, [campaignArn, arn('solution', `${settings.personalizeSolutionName}/*`)], { resultSelector: { 'arn.$': '$.CampaignArn' }, resultPath: '$.campaign' });
  const updateCampaign = sdk('Update campaign', 'updateCampaign', {
    CampaignArn: campaignArn,
    SolutionVersionArn: sfn.JsonPath.stringAt('$.solutionVersion.arn'),
    MinProvisionedTPS: settings.minProvisionedTps,
  }, [campaignArn, arn('solution', `${settings.personalizeSolutionName}/*`)], { resultSelector: { 'arn.$': '$.CampaignArn' }, resultPath: '$.campaign' });
  // An update while the previous one is still deploying is refused with ResourceInUse.
  updateCampaign.addRetry({ errors: ['Personalize.ResourceInUseException'], interval: Duration.seconds(60), backoffRate: 1.5, maxAttempts: 6 });
  createCampaign.addCatch(updateCampaign, { errors: [ALREADY_EXISTS], resultPath: '$.campaignExists' });
  const describeCampaign = sdk('Describe campaign', 'describeCampaign', { CampaignArn: sfn.JsonPath.stringAt('$.campaign.arn') },
    [campaignArn], { resultSelector: { 'campaign.$': '$.Campaign' }, resultPath: '$.campaignStatus' });
  const status = '$.campaignStatus.campaign.Status';
  const update = '$.campaignStatus.campaign.LatestCampaignUpdate.Status';
  // A new campaign has no LatestCampaignUpdate; an updated one stays ACTIVE while the update deploys.
  const campaignPoll = poll('campaign deployment', describeCampaign, status, 'campaign', 'PersonalizeCampaignFailed', {
    ready: sfn.Condition.and(
      sfn.Condition.stringEquals(status, 'ACTIVE'),
      sfn.Condition.or(sfn.Condition.not(sfn.Condition.isPresent(update)), sfn.Condition.stringEquals(update, 'ACTIVE')),
    ),
    failed: sfn.Condition.or(personalizeFailed(status), sfn.Condition.and(sfn.Condition.isPresent(update), personalizeFailed(update))),
  });
  createCampaign.next(campaignPoll);
  updateCampaign.next(campaignPoll);

  const versionPoll = poll('solution version training', describeVersion, '$.solutionVersionStatus.status', 'solutionVersion', 'PersonalizeTrainingFailed');
  trainVersion.next(versionPoll);
  createSolution.next(trainVersion);
  solutionExists.next(trainVersion);
  const gate = qualityGate(scope, {
    settings,
    sdk,
    campaignArn,
    solutionVersionsArn: arn('solution', `${settings.personalizeSolutionName}/*`),
    checkQuality: props.checkQuality,
    ...(props.eventBus && { eventBus: props.eventBus }),
    tasks: props.tasks,
    deploy: sfn.Chain.custom(createCampaign, campaignPoll.endStates, campaignPoll),
  });
  return sfn.Chain.start(importJob)
    .next(poll('dataset import', describeImport, '$.importStatus.status', 'import', 'PersonalizeImportFailed'))
    .next(listTrackers)
    .next(tracker)
    .next(sfn.Chain.custom(createSolution, versionPoll.endStates, versionPoll))
    .next(gate);
}
