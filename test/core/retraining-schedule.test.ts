import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { assertScheduleExpression } from '../../core/retraining-schedule';

describe('assertScheduleExpression', () => {
  it.each(['rate(1 day)', 'rate(7 days)', 'rate(30 minutes)', 'rate(12 hours)', 'cron(0 3 ? * SUN *)'])('accepts %s', (expression) => {
    expect(assertScheduleExpression(expression)).toBe(expression);
  });

  it.each(['rate(1 days)', 'rate(7 day)', 'rate(0 days)', 'cron(0 3 * *)', 'every sunday', '', 'rate(7 weeks)'])('refuses %j, naming the field', (expression) => {
    expect(() => assertScheduleExpression(expression, 'expression')).toThrow(ValidationError);
    expect(() => assertScheduleExpression(expression, 'expression')).toThrow(`expression ${JSON.stringify(expression)} is not an EventBridge schedule expression`);
  });

  it('refuses a value that is not a string', () => {
    expect(() => assertScheduleExpression(7)).toThrow('schedule 7 is not an EventBridge schedule expression');
  });
});
