/**
 * Pipeline step "Check model quality": the quality gate between training a solution version and deploying it. Takes
 * both versions' GetSolutionMetrics maps (the serving one null on the first run) and returns the verdict, plus the
 * verdict as a string for the "Model rejected" Fail state's CausePath (a cause must be a string).
 */
import { ValidationError } from '../core/errors';
import { judgeModelQuality, qualityFromSolutionMetrics } from '../core/quality-gate';
import type { QualityVerdict } from '../core/quality-gate';
import type { StepContext } from './task-input';
import { requireString } from './task-input';

export interface CheckModelQualityEvent extends StepContext {
  readonly generation: string;
  /** GetSolutionMetrics `Metrics` of the version just trained. */
  readonly candidateMetrics: Readonly<Record<string, number>>;
  /** GetSolutionMetrics `Metrics` of the version the campaign serves; null when there is no campaign yet. */
  readonly servingMetrics: Readonly<Record<string, number>> | null;
  /** Largest drop allowed on each figure (absolute). */
  readonly tolerance: number;
}

export interface CheckModelQualityResult {
  readonly verdict: QualityVerdict;
  /** `JSON.stringify(verdict)`: the rejection's cause. */
  readonly cause: string;
}

export async function checkModelQuality(event: CheckModelQualityEvent): Promise<CheckModelQualityResult> {
  const generation = requireString(event, 'generation');
  if (event.candidateMetrics === undefined || event.candidateMetrics === null) {
    throw new ValidationError('candidateMetrics is required: the GetSolutionMetrics metrics of the new version', { field: 'candidateMetrics' });
  }
  if (event.servingMetrics === undefined) {
    throw new ValidationError('servingMetrics is required: the serving version\'s metrics, or null when nothing serves yet', { field: 'servingMetrics' });
  }
  const candidate = qualityFromSolutionMetrics(event.candidateMetrics, 'candidateMetrics');
  const serving = event.servingMetrics === null ? null : qualityFromSolutionMetrics(event.servingMetrics, 'servingMetrics');
  const verdict = judgeModelQuality({ generation, candidate, serving, tolerance: event.tolerance });
  return { verdict, cause: JSON.stringify(verdict) };
}
