/**
 * The quality gate between training a solution version and deploying it: the new version's offline metrics
 * (GetSolutionMetrics) against those of the version the campaign serves. A version worse beyond the tolerance stops
 * the run at "Model rejected" before the campaign, the index alias or the serving parameters are touched, so the
 * serving model and generation stay; the "Model Quality Checked" event carries both figure sets either way.
 * https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html
 */
import type * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { MODEL_REJECTED_ERROR, MODEL_REJECTED_STATE } from '../core/ports/pipeline-control';
import type { PipelineSettings } from './pipeline-settings';
import { pipelineEvent } from './pipeline-event';

export const QUALITY_DETAIL_TYPE = 'Model Quality Checked';
export const NOT_FOUND = 'Personalize.ResourceNotFoundException';

/** Makes one Personalize SDK task the way personalize-steps.ts does (scoped IAM, throttling retried, main Catch). */
export type PersonalizeSdkTask = (
  id: string,
  action: string,
  parameters: Record<string, unknown>,
  iamResources: string[],
  more?: Partial<tasks.CallAwsServiceProps>,
) => tasks.CallAwsService;

export interface QualityGateProps {
  readonly settings: PipelineSettings;
  readonly sdk: PersonalizeSdkTask;
  /** The campaign the pipeline deploys to; its current version is the serving model. */
  readonly campaignArn: string;
  /** IAM resource covering the solution's versions, e.g. `arn:...:solution/<name>/*`. */
  readonly solutionVersionsArn: string;
  /** The "Check model quality" Lambda step: reads `$.candidateMetrics` and `$.servingMetrics`, writes `$.quality`. */
  readonly checkQuality: sfn.INextable & sfn.IChainable;
  /** @default the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /** Collects the event task so the caller gives it the main Catch. */
  readonly tasks: { addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown }[];
  /** Where a good enough version goes: the campaign deployment. */
  readonly deploy: sfn.Chain;
}

/** "Get candidate metrics" -> serving metrics (or none) -> "Check model quality" -> event -> "Model good enough?". */
export function qualityGate(scope: Construct, props: QualityGateProps): sfn.Chain {
  const { sdk } = props;
  const metrics = { 'metrics.$': '$.Metrics' };
  const candidate = sdk('Get candidate metrics', 'getSolutionMetrics', { SolutionVersionArn: sfn.JsonPath.stringAt('$.solutionVersion.arn') },
    [props.solutionVersionsArn], { resultSelector: metrics, resultPath: '$.candidateMetrics' });
  const findServing = sdk('Find serving model', 'describeCampaign', { CampaignArn: props.campaignArn },
    [props.campaignArn], { resultSelector: { 'solutionVersionArn.$': '$.Campaign.SolutionVersionArn' }, resultPath: '$.servingModel' });
  // No campaign yet: the first run has nothing to compare with, and passes.
  const nothingServing = new sfn.Pass(scope, 'Nothing serving yet', { result: sfn.Result.fromObject({ metrics: null }), resultPath: '$.servingMetrics' });
  findServing.addCatch(nothingServing, { errors: [NOT_FOUND], resultPath: sfn.JsonPath.DISCARD });
  const serving = sdk('Get serving metrics', 'getSolutionMetrics', { SolutionVersionArn: sfn.JsonPath.stringAt('$.servingModel.solutionVersionArn') },
    [props.solutionVersionsArn], { resultSelector: metrics, resultPath: '$.servingMetrics' });

  const verdict = (field: string): string => `$.quality.verdict.${field}`;
  const publish = pipelineEvent(scope, 'Publish quality event', {
    source: props.settings.eventSource,
    detailType: QUALITY_DETAIL_TYPE,
    eventBus: props.eventBus,
    detail: sfn.TaskInput.fromObject({
      execution: sfn.JsonPath.executionId,
      generation: sfn.JsonPath.stringAt(verdict('generation')),
      passed: sfn.JsonPath.objectAt(verdict('passed')),
      candidate: sfn.JsonPath.objectAt(verdict('candidate')),
      serving: sfn.JsonPath.objectAt(verdict('serving')),
      tolerance: sfn.JsonPath.numberAt(verdict('tolerance')),
      reasons: sfn.JsonPath.listAt(verdict('reasons')),
    }),
  });
  props.tasks.push(publish);

  const rejected = new sfn.Fail(scope, MODEL_REJECTED_STATE, { error: MODEL_REJECTED_ERROR, causePath: '$.quality.cause' });
  const goodEnough = new sfn.Choice(scope, 'Model good enough?')
    .when(sfn.Condition.booleanEquals(verdict('passed'), true), props.deploy)
    .otherwise(rejected);

  candidate.next(findServing).next(serving).next(props.checkQuality);
  nothingServing.next(props.checkQuality);
  props.checkQuality.next(publish).next(goodEnough);
  return sfn.Chain.custom(candidate, props.deploy.endStates, goodEnough);
}
