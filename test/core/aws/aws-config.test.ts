import { describe, it, expect, beforeEach } from 'vitest';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { NotFoundError } from '../../../core/errors';
import { ssmRuntimeParameters } from '../../../core/aws/aws-config';

const client = new SSMClient({ region: 'eu-west-1' });
const ssm = mockClient(client);
const names = ['/app/generation', '/app/alias', '/app/campaignArn', '/app/trackingId'];

describe('ssmRuntimeParameters', () => {
  beforeEach(() => ssm.reset());

  it('reads all four parameters in one GetParameters call and caches them', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: '/app/generation', Value: 'gen-1' },
        { Name: '/app/alias', Value: 'images' },
        { Name: '/app/campaignArn', Value: 'arn:aws:personalize:eu-west-1:123456789012:campaign/c' },
        { Name: '/app/trackingId', Value: 't-1' },
      ],
    });
    const source = ssmRuntimeParameters({ parameterPath: '/app', client });
    const first = await source.get();
    await source.get();
    expect(first).toEqual({ generation: 'gen-1', alias: 'images', campaignArn: 'arn:aws:personalize:eu-west-1:123456789012:campaign/c', trackingId: 't-1' });
    expect(ssm.commandCalls(GetParametersCommand).map((c) => c.args[0].input)).toEqual([{ Names: names }]);
    source.invalidate();
    await source.get();
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });

  it('names the missing parameters and does not cache the failure', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/app/alias', Value: 'images' }], InvalidParameters: ['/app/generation'] });
    const source = ssmRuntimeParameters({ parameterPath: '/app', client });
    const error = await source.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/\/app\/generation, \/app\/campaignArn, \/app\/trackingId are missing/);
    await source.get().catch(() => undefined);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });
});
