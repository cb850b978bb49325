/**
 * The local ranker's trained model and its file: one JSON file per generation, written atomically (temp + fsync +
 * rename) so the server never loads half a model. `formatVersion` guards against reading a file of another layout.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file';
import { NotFoundError, ValidationError } from '../errors';
import type { EventType } from '../ports/ranker';

export const RANKER_MODEL_FORMAT = 'local-ranker-model';
export const RANKER_MODEL_FORMAT_VERSION = 1;

export interface RankerHyperParameters {
  /** Latent factors per user and item. */
  readonly factors: number;
  /** L2 regularisation (lambda) of the ALS solves, per observed entry of the row (ALS-WR). */
  readonly regularization: number;
  /** Confidence slope: c = 1 + alpha * interaction mass. */
  readonly alpha: number;
  readonly iterations: number;
  readonly seed: number;
  /** Mass each event type adds before decay. */
  readonly eventWeights: Readonly<Record<EventType, number>>;
  /** An event's mass halves every this many days before the latest timestamp in the data (and between live events). */
  readonly halfLifeDays: number;
  /** Weight of the user's own interaction share on an item, added to the latent prediction (0 = pure iALS). */
  readonly historyBoost: number;
  /** Softmax temperature that turns predicted preferences into scores summing to 1. */
  readonly temperature: number;
  /** Each of a user's trained events is multiplied by this once per later event of the same user (recency by order, in (0, 1]). */
  readonly historyOrderDecay: number;
  /** Each live event multiplies the mass of everything before it by this (recency by order, in (0, 1]). */
  readonly liveEventDecay: number;
  /** When a user's live events are folded in, their trained history counts as at most this much mass. */
  readonly historyMassCap: number;
}

/** One item of a user's trained history. */
export interface HistoryEntry {
  /** Index into `items`. */
  readonly item: number;
  /** Event-weighted, time-decayed mass; the training confidence was 1 + alpha * mass. */
  readonly mass: number;
  /** Epoch seconds of the user's latest event on the item. */
  readonly latestTimestamp: number;
}

export interface RankerModel {
  /** Identifies these weights (a hash of hyper-parameters, data and factors). */
  readonly version: string;
  readonly hyperParameters: RankerHyperParameters;
  /** Epoch seconds of the latest interaction in the training data: the time history masses are valid at. */
  readonly referenceTimestamp: number;
  readonly items: readonly string[];
  /** items x factors, row-major. */
  readonly itemFactors: Float64Array;
  /** Summed mass per item over all users: the cold-start ranking. */
  readonly itemPopularity: Float64Array;
  readonly users: readonly string[];
  /** users x factors, row-major. */
  readonly userFactors: Float64Array;
  /** Parallel to `users`. */
  readonly histories: readonly (readonly HistoryEntry[])[];
}

interface ModelFile {
  format: string;
  formatVersion: number;
  version: string;
  hyperParameters: RankerHyperParameters;
  referenceTimestamp: number;
  items: string[];
  itemFactors: number[];
  itemPopularity: number[];
  users: string[];
  userFactors: number[];
  /** [item, mass, latestTimestamp] triples per user. */
  histories: [number, number, number][][];
}

export async function saveRankerModel(model: RankerModel, path: string): Promise<void> {
  const file: ModelFile = {
    format: RANKER_MODEL_FORMAT,
    formatVersion: RANKER_MODEL_FORMAT_VERSION,
    version: model.version,
    hyperParameters: model.hyperParameters,
    referenceTimestamp: model.referenceTimestamp,
    items: [...model.items],
    itemFactors: Array.from(model.itemFactors),
    itemPopularity: Array.from(model.itemPopularity),
    users: [...model.users],
    userFactors: Array.from(model.userFactors),
    histories: model.histories.map((history) => history.map((e) => [e.item, e.mass, e.latestTimestamp])),
  };
  await writeFileAtomic(path, JSON.stringify(file));
}

export async function loadRankerModel(path: string): Promise<RankerModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no ranker model at ${path}: train one first`, { cause: error });
    }
    throw error;
  }
  let file: ModelFile;
  try {
    file = JSON.parse(text) as ModelFile;
  } catch (error) {
    throw new ValidationError(`ranker model ${path} is not valid JSON`, { field: 'model', cause: error });
  }
  if (file.format !== RANKER_MODEL_FORMAT || file.formatVersion !== RANKER_MODEL_FORMAT_VERSION) {
    throw new ValidationError(
      `ranker model ${path} has format ${String(file.format)} v${String(file.formatVersion)}, ` +
        `expected ${RANKER_MODEL_FORMAT} v${RANKER_MODEL_FORMAT_VERSION}: retrain the ranker`,
      { field: 'model' },
    );
  }
  const k = file.hyperParameters?.factors;
  const shapeOk =
    Number.isInteger(k) &&
    Array.isArray(file.items) &&
    Array.isArray(file.users) &&
    file.itemFactors?.length === file.items.length * k &&
    file.itemPopularity?.length === file.items.length &&
    file.userFactors?.length === file.users.length * k &&
    file.histories?.length === file.users.length;
  if (!shapeOk) throw new ValidationError(`ranker model ${path} is inconsistent: factor or history sizes do not match`, { field: 'model' });
  return {
    version: file.version,
    hyperParameters: file.hyperParameters,
    referenceTimestamp: file.referenceTimestamp,
    items: file.items,
    itemFactors: Float64Array.from(file.itemFactors),
    itemPopularity: Float64Array.from(file.itemPopularity),
    users: file.users,
    userFactors: Float64Array.from(file.userFactors),
    histories: file.histories.map((history) => history.map(([item, mass, latestTimestamp]) => ({ item, mass, latestTimestamp }))),
  };
}
