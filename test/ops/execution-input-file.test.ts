import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ValidationError } from '../../core/errors';
import { describeJsonError, readExecutionInputFile } from '../../ops/execution-input-file';

describe('readExecutionInputFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'input-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('reads a valid input', async () => {
    expect(await readExecutionInputFile(await file('ok.json', '{ "generation": "rerun-1" }\n'))).toEqual({ generation: 'rerun-1' });
    expect(await readExecutionInputFile(await file('empty.json', '{}'))).toEqual({});
  });

  it('names the file and the line and column of a JSON error', async () => {
    const path = await file('bad.json', '{\n  "generation": "x",\n}\n');
    await expect(readExecutionInputFile(path)).rejects.toThrow(ValidationError);
    await expect(readExecutionInputFile(path)).rejects.toThrow(`the input file ${path} is not valid JSON: Expected double-quoted property name at line 3, column 1`);
  });

  it('names the file and the field for an input that breaks the rule', async () => {
    const path = await file('field.json', '{"generation": "Not Valid"}');
    await expect(readExecutionInputFile(path)).rejects.toThrow(`the input file ${path} is not a valid execution input: input.generation: cluster generation "Not Valid" is invalid`);
  });

  it('names a file it cannot read', async () => {
    const path = join(dir, 'missing.json');
    await expect(readExecutionInputFile(path)).rejects.toThrow(AppError);
    await expect(readExecutionInputFile(path)).rejects.toThrow(`cannot read the input file ${path}: no such file`);
    await expect(readExecutionInputFile(dir)).rejects.toThrow(`cannot read the input file ${dir}: it is a folder`);
  });
});

describe('describeJsonError', () => {
  const describeText = (text: string): string => {
    try {
      JSON.parse(text);
    } catch (error) {
      return describeJsonError(text, error as Error);
    }
    throw new Error(`${text} parsed`);
  };

  it('finds the position even when the JSON parser does not state it', () => {
    expect(describeText('{"a":}')).toBe("Unexpected token '}' at line 1, column 6");
    expect(describeText('{\n "a": [1,\n  ]}')).toBe("Unexpected token ']' at line 3, column 3");
  });

  it('reports a truncated file at its end and trailing text where it starts', () => {
    expect(describeText('{"a": tru')).toBe('Unexpected end of JSON input at the end of the file (line 1)');
    expect(describeText('')).toBe('Unexpected end of JSON input at the end of the file (line 1)');
    expect(describeText('{}\n{}')).toBe('Unexpected non-whitespace character after JSON at line 2, column 1');
  });
});
