import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { parseExecutionInput } from '../../core/execution-input';

describe('parseExecutionInput', () => {
  it('accepts an empty input and a valid generation name', () => {
    expect(parseExecutionInput({})).toEqual({});
    expect(parseExecutionInput({ generation: 'rerun-7' })).toEqual({ generation: 'rerun-7' });
    expect(parseExecutionInput({ generation: 'g'.repeat(49) })).toEqual({ generation: 'g'.repeat(49) });
  });

  it.each([
    [null, 'input', /must be a JSON object/],
    [[], 'input', /must be a JSON object/],
    ['gen-1', 'input', /must be a JSON object/],
    [{ generation: 'gen-1', mode: 'x', k: 3 }, 'input', /unknown fields mode, k: only "generation" is accepted/],
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
