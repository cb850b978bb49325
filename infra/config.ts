/**
 * The stack's configuration: defaults, overridden by a JSON config file (`-c configFile=path`) and then by CDK context
 * keys (`-c region=eu-west-1`, `-c pipeline.k=64`). Validated at synth time, so a bad value fails `cdk synth` with
 * the key's name instead of failing a deployment or a pipeline run later.
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../core/errors';
import { SCHEDULE_EXPRESSION } from '../core/retraining-schedule';
import { DEFAULT_STACK_NAME, STACK_NAME } from '../core/stack-name';
import { DEFAULT_PIPELINE_SETTINGS, validatePipelineSettings, type PipelineSettings } from '../state-machines/pipeline-settings';

export interface DomainConfig {
  /** OpenSearch data node instance type. */
  readonly instanceType: string;
  readonly instanceCount: number;
  /** EBS gp3 volume per data node, in GiB. */
  readonly volumeGb: number;
  /** Dedicated master nodes (3) when set; recommended for production domains. */
  readonly dedicatedMasterType?: string;
  /** Spread data nodes over two AZs (needs an even instanceCount). */
  readonly zoneAwareness: boolean;
}

export interface ServingConfig {
  /** Personalisation weight when a request gives none, in [0, 1]. */
  readonly personalizationWeight: number;
  /** k-NN hits re-ranked per search. */
  readonly candidates: number;
  /** How long the Lambdas reuse the published generation before asking SSM again. */
  readonly parameterCacheSeconds: number;
  /** API Gateway steady-state requests per second (stage and usage plan). */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Requests per day per API key. */
  readonly quotaPerDay: number;
  readonly memoryMb: number;
}

export interface StackConfig {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** Prefix of named resources (Personalize dataset group, SSM parameters). */
  readonly resourcePrefix: string;
  /** EventBridge schedule expression of the retraining run: `rate(...)` or `cron(...)`. */
  readonly schedule: string;
  /** Off: the rule is created disabled (manual runs only). */
  readonly scheduleEnabled: boolean;
  /** Days CloudWatch keeps the Lambdas', API's and state machine's logs. */
  readonly logRetentionDays: number;
  /** Keep the data bucket, user table and domain on `cdk destroy` (production) or delete them (test stacks). */
  readonly retainData: boolean;
  readonly domain: DomainConfig;
  readonly serving: ServingConfig;
  readonly pipeline: PipelineSettings;
}

export const DEFAULT_STACK_CONFIG: StackConfig = {
  // A placeholder account keeps synth offline and deterministic; deploy with -c account=<yours>.
  account: '123456789012',
  region: 'us-east-1',
  stackName: DEFAULT_STACK_NAME,
  resourcePrefix: 'image-search',
  // Weekly, Sunday 03:00 UTC: a run takes hours (Personalize training), so daily runs would overlap the guard.
  schedule: 'cron(0 3 ? * SUN *)',
  scheduleEnabled: true,
  logRetentionDays: 30,
  retainData: true,
  domain: { instanceType: 'r7g.large.search', instanceCount: 2, volumeGb: 20, zoneAwareness: true },
  serving: {
    personalizationWeight: 0.5,
    candidates: 100,
    parameterCacheSeconds: 5,
    throttleRateLimit: 50,
    throttleBurstLimit: 100,
    quotaPerDay: 100_000,
    memoryMb: 1024,
  },
  pipeline: DEFAULT_PIPELINE_SETTINGS,
};

// CloudWatch Logs accepts only these retention periods.
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The config file first, then each context key over it; values from `-c` arrive as strings and are parsed. */
export function loadStackConfig(context: (key: string) => unknown): StackConfig {
  const file = context('configFile');
  let merged: Record<string, unknown> = structuredClone(DEFAULT_STACK_CONFIG) as unknown as Record<string, unknown>;
  if (file !== undefined) {
    if (typeof file !== 'string') throw new ValidationError('configFile must be a path to a JSON file', { field: 'configFile' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ValidationError(`configFile ${file} could not be read as JSON: ${(error as Error).message}`, { field: 'configFile', cause: error });
    }
    merged = mergeInto(merged, parsed, '');
  }
  for (const path of [...leafPaths(DEFAULT_STACK_CONFIG as unknown as Record<string, unknown>, ''), 'domain.dedicatedMasterType']) {
    const value = context(path);
    if (value !== undefined) setPath(merged, path, coerce(value, getPath(merged, path), path));
  }
  return validateStackConfig(merged as unknown as StackConfig);
}

/** Throws a ValidationError naming the first key that is out of range; returns the config unchanged. */
export function validateStackConfig(config: StackConfig): StackConfig {
  const fail = (key: string, value: unknown, rule: string): never => {
    throw new ValidationError(`config ${key} = ${JSON.stringify(value)} is invalid: ${rule}`, { field: key });
  };
  const number = (key: string, value: number, min: number, max: number, integer = true): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      fail(key, value, `expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
    }
  };
  if (!/^\d{12}$/.test(config.account)) fail('account', config.account, 'expected a 12-digit AWS account id');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(config.region)) fail('region', config.region, 'expected a region name like us-east-1');
  if (!STACK_NAME.test(config.stackName)) fail('stackName', config.stackName, 'expected letters, digits and "-", starting with a letter');
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(config.resourcePrefix)) fail('resourcePrefix', config.resourcePrefix, 'use 1-31 lower-case letters, digits and "-"');
  if (!SCHEDULE_EXPRESSION.test(config.schedule)) {
    fail('schedule', config.schedule, 'expected an EventBridge expression: rate(7 days) or cron(0 3 ? * SUN *)');
  }
  if (typeof config.scheduleEnabled !== 'boolean') fail('scheduleEnabled', config.scheduleEnabled, 'expected true or false');
  if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) fail('logRetentionDays', config.logRetentionDays, `expected one of ${LOG_RETENTION_DAYS.join(', ')}`);
  if (typeof config.retainData !== 'boolean') fail('retainData', config.retainData, 'expected true or false');

  const { domain, serving } = config;
  if (!/^[a-z0-9]+\.[a-z0-9]+\.search$/.test(domain.instanceType)) fail('domain.instanceType', domain.instanceType, 'expected an OpenSearch instance type like r7g.large.search');
  number('domain.instanceCount', domain.instanceCount, 1, 80);
  number('domain.volumeGb', domain.volumeGb, 10, 16_384);
  if (domain.dedicatedMasterType !== undefined && !/^[a-z0-9]+\.[a-z0-9]+\.search$/.test(domain.dedicatedMasterType)) {
    fail('domain.dedicatedMasterType', domain.dedicatedMasterType, 'expected an OpenSearch instance type like m7g.large.search');
  }
  if (domain.zoneAwareness && domain.instanceCount % 2 !== 0) {
    fail('domain.instanceCount', domain.instanceCount, 'zone awareness over two AZs needs an even number of data nodes');
  }
  number('serving.personalizationWeight', serving.personalizationWeight, 0, 1, false);
  number('serving.candidates', serving.candidates, 1, 10_000);
  number('serving.parameterCacheSeconds', serving.parameterCacheSeconds, 0, 3600);
  number('serving.throttleRateLimit', serving.throttleRateLimit, 1, 10_000);
  number('serving.throttleBurstLimit', serving.throttleBurstLimit, 1, 5_000);
  number('serving.quotaPerDay', serving.quotaPerDay, 1, 1_000_000_000);
  number('serving.memoryMb', serving.memoryMb, 128, 10_240);
  validatePipelineSettings(config.pipeline);
  return config;
}

function leafPaths(value: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(value).flatMap(([key, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leafPaths(v as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function getPath(target: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], target);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = target;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  node[last] = value;
}

/** Deep-merges a parsed config file over the defaults, refusing keys the config does not have (typos). */
function mergeInto(base: Record<string, unknown>, override: unknown, prefix: string): Record<string, unknown> {
  if (override === null || typeof override !== 'object' || Array.isArray(override)) {
    throw new ValidationError(`config ${prefix || 'file'} must be a JSON object`, { field: prefix || 'configFile' });
  }
  const out = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const path = `${prefix}${key}`;
    // dedicatedMasterType is optional, so it is not among the defaults' keys.
    if (!(key in base) && path !== 'domain.dedicatedMasterType') throw new ValidationError(`config key ${path} is unknown`, { field: path });
    const current = base[key];
    out[key] = current !== null && typeof current === 'object' && !Array.isArray(current) ? mergeInto(current as Record<string, unknown>, value, `${path}.`) : value;
  }
  return out;
}

/** `-c key=value` gives strings: turn them into the default's type so validation sees numbers and booleans. */
function coerce(value: unknown, current: unknown, path: string): unknown {
  if (typeof value !== 'string') return value;
  if (typeof current === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new ValidationError(`config ${path} = ${JSON.stringify(value)} is invalid: expected a number`, { field: path });
    return n;
  }
  if (typeof current === 'boolean') {
    if (value !== 'true' && value !== 'false') throw new ValidationError(`config ${path} = ${JSON.stringify(value)} is invalid: expected true or false`, { field: path });
    return value === 'true';
  }
  return value;
}
