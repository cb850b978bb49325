/**
 * The retraining pipeline's quality gate: a new ranker model replaces the serving one only when its offline figures
 * are not worse beyond a tolerance. The figures are Personalize's (GetSolutionMetrics) on AWS and the local ranker's
 * held-out evaluation locally, under the same names.
 */
import { ValidationError } from './errors';

/** Offline figures of one model version, as GetSolutionMetrics names them. */
export interface ModelQuality {
  /** `normalized_discounted_cumulative_gain_at_10` */
  readonly ndcgAt10: number;
  /** `precision_at_10` */
  readonly precisionAt10: number;
}

/** What the gate decided, with both sets of figures: the body of the quality event and of a rejection's cause. */
export interface QualityVerdict {
  readonly passed: boolean;
  readonly generation: string;
  readonly candidate: ModelQuality;
  /** The serving model's figures; null on the first run, when nothing serves yet. */
  readonly serving: ModelQuality | null;
  /** Largest drop allowed on each figure (absolute, e.g. 0.02). */
  readonly tolerance: number;
  /** One line per figure that dropped beyond the tolerance; empty when passed. */
  readonly reasons: readonly string[];
}

/** The GetSolutionMetrics keys the gate reads. https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html */
export const SOLUTION_METRIC_KEYS = {
  ndcgAt10: 'normalized_discounted_cumulative_gain_at_10',
  precisionAt10: 'precision_at_10',
} as const satisfies Record<keyof ModelQuality, string>;

const LABELS: Record<keyof ModelQuality, string> = { ndcgAt10: 'ndcg@10', precisionAt10: 'precision@10' };
/** 0.93 - 0.91 is 0.020000000000000018 in floating point: a drop equal to the tolerance must pass. */
const EPSILON = 1e-9;

export interface QualityJudgement {
  readonly generation: string;
  readonly candidate: ModelQuality;
  /** The serving model's figures; undefined or null when nothing serves yet (the first run), which always passes. */
  readonly serving?: ModelQuality | null;
  /** Largest drop allowed on each figure, absolute, in [0, 1]. */
  readonly tolerance: number;
}

/** Passes unless a figure of the candidate is more than `tolerance` below the serving model's. */
export function judgeModelQuality(input: QualityJudgement): QualityVerdict {
  const { generation, tolerance } = input;
  if (typeof generation !== 'string' || generation.length === 0) throw new ValidationError('generation is required: a non-empty string', { field: 'generation' });
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > 1) {
    throw new ValidationError(`tolerance ${String(tolerance)} is invalid: expected a number in [0, 1]`, { field: 'tolerance' });
  }
  const candidate = checkFigures(input.candidate, 'candidate');
  const serving = input.serving === undefined || input.serving === null ? null : checkFigures(input.serving, 'serving');
  const reasons: string[] = [];
  if (serving) {
    for (const key of Object.keys(LABELS) as (keyof ModelQuality)[]) {
      const drop = serving[key] - candidate[key];
      if (drop - tolerance > EPSILON) {
        reasons.push(`${LABELS[key]} ${candidate[key].toFixed(3)} is ${drop.toFixed(3)} below the serving model's ${serving[key].toFixed(3)} (tolerance ${tolerance})`);
      }
    }
  }
  return { passed: reasons.length === 0, generation, candidate, serving, tolerance, reasons };
}

/**
 * The gate's figures from a GetSolutionMetrics `metrics` map. `source` prefixes the field of the error (e.g.
 * "candidateMetrics"), so a handler's caller learns which of its inputs was wrong.
 */
export function qualityFromSolutionMetrics(metrics: Readonly<Record<string, unknown>>, source?: string): ModelQuality {
  const at = (key: string): string => (source === undefined ? key : `${source}.${key}`);
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new ValidationError(`${source ?? 'metrics'} is not a map of solution metrics: got ${JSON.stringify(metrics)}`, { field: source ?? 'metrics' });
  }
  const read = (key: string): number => {
    const value = metrics[key];
    if (value === undefined) throw new ValidationError(`solution metrics have no "${key}" (keys: ${Object.keys(metrics).join(', ') || 'none'})`, { field: at(key) });
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`solution metric "${key}" is ${JSON.stringify(value)}: expected a number`, { field: at(key) });
    return value;
  };
  return { ndcgAt10: read(SOLUTION_METRIC_KEYS.ndcgAt10), precisionAt10: read(SOLUTION_METRIC_KEYS.precisionAt10) };
}

function checkFigures(quality: ModelQuality, field: string): ModelQuality {
  if (typeof quality !== 'object' || quality === null) throw new ValidationError(`${field} figures are required`, { field });
  for (const key of Object.keys(LABELS) as (keyof ModelQuality)[]) {
    const value = quality[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new ValidationError(`${field}.${key} ${JSON.stringify(value)} is invalid: expected a number in [0, 1]`, { field: `${field}.${key}` });
    }
  }
  return { ndcgAt10: quality.ndcgAt10, precisionAt10: quality.precisionAt10 };
}

/** Whether a value read back from JSON (a run record, an execution's output or cause) is a whole verdict. */
export function isQualityVerdict(value: unknown): value is QualityVerdict {
  const v = value as Partial<Record<keyof QualityVerdict, unknown>> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.passed === 'boolean' && typeof v.generation === 'string' && isFigures(v.candidate) &&
    (v.serving === null || isFigures(v.serving)) && typeof v.tolerance === 'number' && Array.isArray(v.reasons) && v.reasons.every((r) => typeof r === 'string')
  );
}

function isFigures(value: unknown): boolean {
  const q = value as { ndcgAt10?: unknown; precisionAt10?: unknown } | null;
  return typeof q === 'object' && q !== null && typeof q.ndcgAt10 === 'number' && typeof q.precisionAt10 === 'number';
}
