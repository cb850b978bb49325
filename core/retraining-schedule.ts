/** The retraining schedule's expression rule: what the stack config, the CLI and the EventBridge adapter accept. */
import { ValidationError } from './errors';

/**
 * An EventBridge schedule expression: `rate(1 day)`, `rate(7 days)` (singular unit for 1, plural otherwise, as
 * EventBridge insists) or a six-field `cron(0 3 ? * SUN *)` (UTC).
 */
export const SCHEDULE_EXPRESSION = /^(rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/;

export function assertScheduleExpression(expression: unknown, field = 'schedule'): string {
  if (typeof expression !== 'string' || !SCHEDULE_EXPRESSION.test(expression)) {
    throw new ValidationError(
      `${field} ${JSON.stringify(expression)} is not an EventBridge schedule expression: expected rate(1 day), rate(7 days) or cron(0 3 ? * SUN *)`,
      { field },
    );
  }
  return expression;
}
