/**
 * Amazon Personalize refuses to train on fewer than 1,000 interactions or fewer than 25 users with at least 2
 * interactions each: https://docs.aws.amazon.com/personalize/latest/dg/limits.html. The pipeline checks before
 * importing, so a thin dataset fails in seconds with the counts instead of an hour later in CreateSolutionVersion.
 */
import { InsufficientDataError } from './errors';

export interface InteractionCounts {
  /** Interactions that will be imported. */
  readonly interactions: number;
  /** Users with at least two of those interactions. */
  readonly usersWithTwoInteractions: number;
}

export const PERSONALIZE_MINIMUMS: InteractionCounts = {
  interactions: 1000,
  usersWithTwoInteractions: 25,
};

/** Throws InsufficientDataError naming every minimum that is not met, with the count found. */
export function checkPersonalizeMinimums(counts: InteractionCounts, minimums: InteractionCounts = PERSONALIZE_MINIMUMS): void {
  const problems: string[] = [];
  if (counts.interactions < minimums.interactions) {
    problems.push(`${counts.interactions} interactions (minimum ${minimums.interactions})`);
  }
  if (counts.usersWithTwoInteractions < minimums.usersWithTwoInteractions) {
    problems.push(
      `${counts.usersWithTwoInteractions} users with at least 2 interactions (minimum ${minimums.usersWithTwoInteractions})`,
    );
  }
  if (problems.length > 0) {
    throw new InsufficientDataError(
      `not enough interaction data to train the ranker: found ${problems.join(' and ')}; ` +
        'collect more interactions before training (Amazon Personalize enforces these minimums)',
      { field: 'interactions' },
    );
  }
}
