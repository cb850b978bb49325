import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmParameterReader } from '../../../core/aws/ssm-parameter-reader';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

beforeEach(() => ssm.reset());

describe('SsmParameterReader', () => {
  it('reads all names in one GetParameters call and leaves missing ones out', async () => {
    const written = new Date('2026-12-04T03:00:00Z');
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/p/generation', Value: 'gen-1', LastModifiedDate: written }], InvalidParameters: ['/p/alias'] });
    const values = await new SsmParameterReader({ client }).getParameters(['/p/generation', '/p/alias']);
    expect(values).toEqual({ '/p/generation': { value: 'gen-1', lastModified: written } });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input).toEqual({ Names: ['/p/generation', '/p/alias'] });
  });

  it('refuses more names than one call takes', async () => {
    await expect(new SsmParameterReader({ client }).getParameters(Array.from({ length: 11 }, (_, i) => `/p/${i}`))).rejects.toThrow(/1 to 10/);
  });

  it('wraps an SSM failure with the names it was reading', async () => {
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(new SsmParameterReader({ client }).getParameters(['/p/generation'])).rejects.toThrow(/\/p\/generation failed: ThrottlingException: Rate exceeded/);
  });
});
