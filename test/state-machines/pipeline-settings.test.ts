import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { DEFAULT_PIPELINE_SETTINGS, validatePipelineSettings } from '../../state-machines/pipeline-settings';
import type { PipelineSettings } from '../../state-machines/pipeline-settings';
import { kmeansImageUri } from '../../state-machines/kmeans-image';

describe('validatePipelineSettings', () => {
  it('accepts the defaults', () => {
    expect(validatePipelineSettings(DEFAULT_PIPELINE_SETTINGS)).toBe(DEFAULT_PIPELINE_SETTINGS);
  });

  it('gates on a two-point drop by default, and accepts a gate of 0 (no drop at all) or 1 (any drop)', () => {
    expect(DEFAULT_PIPELINE_SETTINGS.qualityTolerance).toBe(0.02);
    for (const qualityTolerance of [0, 1]) expect(validatePipelineSettings({ ...DEFAULT_PIPELINE_SETTINGS, qualityTolerance }).qualityTolerance).toBe(qualityTolerance);
  });

  it.each([
    ['k', 1, /pipeline setting k = 1 is invalid: expected an integer in \[2, 10000\]/],
    ['embeddingLength', 512, /embeddingLength = 512 is invalid: Titan Multimodal supports 256, 384 or 1024/],
    ['maxConcurrency', 20_000, /maxConcurrency = 20000 is invalid/],
    ['toleratedFailurePercentage', 101, /toleratedFailurePercentage = 101 is invalid/],
    ['kmeansInstanceType', 'm5.large', /kmeansInstanceType = "m5.large" is invalid: expected a SageMaker instance type/],
    ['recipeArn', 'aws-personalized-ranking', /recipeArn = "aws-personalized-ranking" is invalid/],
    ['retention', 0, /retention = 0 is invalid/],
    ['alias', 'Images', /alias = "Images" is invalid/],
    ['maxPollAttempts', 2.5, /maxPollAttempts = 2.5 is invalid/],
    ['manifestKey', '/images/manifest.jsonl', /manifestKey = "\/images\/manifest.jsonl" is invalid/],
    ['eventSource', 'aws.states', /eventSource = "aws.states" is invalid/],
    ['qualityTolerance', 1.5, /qualityTolerance = 1.5 is invalid: expected a number in \[0, 1\]/],
    ['qualityTolerance', -0.01, /qualityTolerance = -0.01 is invalid/],
    ['qualityTolerance', '0.02', /qualityTolerance = "0.02" is invalid/],
  ])('names %s when it is %j', (field, value, message) => {
    const settings = { ...DEFAULT_PIPELINE_SETTINGS, [field]: value } as unknown as PipelineSettings;
    expect(() => validatePipelineSettings(settings)).toThrow(message);
    try {
      validatePipelineSettings(settings);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('kmeansImageUri', () => {
  it('knows the built-in image of a listed region and refuses an unknown one', () => {
    expect(kmeansImageUri('eu-west-1')).toBe('438346466558.dkr.ecr.eu-west-1.amazonaws.com/kmeans:1');
    expect(() => kmeansImageUri('xx-east-9')).toThrow(/no SageMaker K-Means image is known for region "xx-east-9"/);
  });
});
