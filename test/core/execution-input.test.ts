import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { parseExecutionInput } from '../../core/execution-input';

describe('parseExecutionInput', () => {
  it('accepts an empty input and a valid generation name', () => {
    expect(parseExecutionInput({})).toEqual({});
    expect(parseExecutionInput({ generation: 'rerun-7' })).toEqual({ generation: 'rerun-7' });
    expect(parseExecutionInput({ generation: 'g'.repeat(49) })).toEqual({ generation: 'g'.repeat(49) });
  });

  it('accepts a quality gate tolerance for the run from 0 to 1', () => {
    expect(parseExecutionInput({ qualityTolerance: 0.05 })).toEqual({ qualityTolerance: 0.05 });
    expect(parseExecutionInput({ generation: 'rerun-8', qualityTolerance: 1 })).toEqual({ generation: 'rerun-8', qualityTolerance: 1 });
    expect(parseExecutionInput({ qualityTolerance: 0 })).toEqual({ qualityTolerance: 0 });
  });

  it.each([
    [null, 'input', /must be a JSON object/],
    [[], 'input', /must be a JSON object/],
    ['gen-1', 'input', /must be a JSON object/],
    [{ generation: 'gen-1', mode: 'x', k: 3 }, 'input', /unknown fields mode, k: only "generation" and "qualityTolerance" are accepted/],
    [{ qualityTolerance: 1.5 }, 'input.qualityTolerance', /input.qualityTolerance 1.5 is invalid: expected a number from 0 to 1/],
    [{ qualityTolerance: null }, 'input.qualityTolerance', /input.qualityTolerance null is invalid/],
    [{ generation: 7 }, 'generation', /input.generation must be a string/],
    [{ generation: 'Bad Name' }, 'generation', /input.generation: cluster generation "Bad Name" is invalid/],
    [{ generation: '' }, 'generation', /input.generation: cluster generation "" is invalid/],
    [{ generation: 'g'.repeat(50) }, 'generation', /is longer than 49 characters/],
  ])('rejects %j as a ValidationError on %s', (raw, field, message) => {
    let thrown: unknown;
    try {
      parseExecutionInput(raw);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe(field);
    expect((thrown as Error).message).toMatch(message);
  });
});
