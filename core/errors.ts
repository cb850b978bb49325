/**
 * The project's error classes. Each sets a stable `name` that Step Functions Retry/Catch and the API layer can
 * match on, accepts `{ cause }`, and says what was wrong and what to do.
 */

export class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks a documented rule: a bad argument, a malformed row, a value out of range. */
export class ValidationError extends AppError {
  /** The field, flag or argument at fault, when there is one. */
  readonly field: string | undefined;
  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options);
    this.field = options?.field;
  }
}

/** Something looked up by id or name does not exist (an image, an alias, a generation, an object). */
export class NotFoundError extends AppError {}

/** A vector whose length is not the index's or the model's dimension. */
export class DimensionMismatchError extends ValidationError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, what = 'vector') {
    super(`${what} has dimension ${actual}, expected ${expected}`, { field: 'vector' });
    this.expected = expected;
    this.actual = actual;
  }
}

/** No index generation has been built for an alias yet: run the pipeline first. */
export class NoIndexError extends NotFoundError {
  constructor(alias: string) {
    super(`no index has been built yet for alias "${alias}": run the pipeline (npm run pipeline) first`);
  }
}

/** A pipeline run was refused because another one is in progress. */
export class ConcurrentRunError extends AppError {}

/** Too little interaction data to train a ranker (Amazon Personalize refuses it too); the message gives the counts. */
export class InsufficientDataError extends ValidationError {}
