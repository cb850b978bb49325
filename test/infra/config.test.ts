import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STACK_CONFIG, loadStackConfig, validateStackConfig } from '../../infra/config';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('stack config', () => {
  it('uses validated defaults with an offline placeholder account', () => {
    const config = loadStackConfig(context({}));
    expect(config).toEqual(DEFAULT_STACK_CONFIG);
    expect(config.account).toBe('123456789012');
    expect(config.region).toBe('us-east-1');
  });

  it('takes -c context values as strings and converts them to the default types', () => {
    const config = loadStackConfig(context({ region: 'eu-west-1', 'serving.personalizationWeight': '0.3', scheduleEnabled: 'false', 'pipeline.k': '64' }));
    expect(config.region).toBe('eu-west-1');
    expect(config.serving.personalizationWeight).toBe(0.3);
    expect(config.scheduleEnabled).toBe(false);
    expect(config.pipeline.k).toBe(64);
    expect(config.pipeline.embeddingLength).toBe(DEFAULT_STACK_CONFIG.pipeline.embeddingLength);
  });

  it('merges a JSON config file under the context values', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'config-')), 'stack.json');
    writeFileSync(file, JSON.stringify({ schedule: 'rate(7 days)', domain: { instanceCount: 1, zoneAwareness: false }, pipeline: { k: 32 } }));
    const config = loadStackConfig(context({ configFile: file, 'pipeline.k': '40' }));
    expect(config.schedule).toBe('rate(7 days)');
    expect(config.domain).toMatchObject({ instanceCount: 1, zoneAwareness: false, instanceType: DEFAULT_STACK_CONFIG.domain.instanceType });
    expect(config.pipeline.k).toBe(40);
  });

  it('refuses an unknown key in the config file, naming it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'config-')), 'stack.json');
    writeFileSync(file, JSON.stringify({ serving: { personalisationWeight: 0.2 } }));
    expect(() => loadStackConfig(context({ configFile: file }))).toThrow(/serving\.personalisationWeight is unknown/);
  });

  it.each([
    ['schedule', { schedule: 'every sunday' }, /config schedule .*rate\(7 days\)/],
    ['serving.personalizationWeight', { serving: { ...DEFAULT_STACK_CONFIG.serving, personalizationWeight: 1.5 } }, /serving\.personalizationWeight = 1\.5/],
    ['logRetentionDays', { logRetentionDays: 10 }, /logRetentionDays = 10 .*one of/],
    ['domain.instanceCount', { domain: { ...DEFAULT_STACK_CONFIG.domain, instanceCount: 3 } }, /domain\.instanceCount = 3 .*even/],
    ['account', { account: '1234' }, /account .*12-digit/],
    ['pipeline.k', { pipeline: { ...DEFAULT_STACK_CONFIG.pipeline, k: 1 } }, /pipeline setting k = 1/],
  ])('fails synth on a bad %s, naming it', (_name, override, message) => {
    expect(() => validateStackConfig({ ...DEFAULT_STACK_CONFIG, ...override })).toThrow(message);
  });

  it('rejects a context number that is not a number', () => {
    expect(() => loadStackConfig(context({ 'serving.candidates': 'many' }))).toThrow(/serving\.candidates = "many" .*expected a number/);
  });
});
