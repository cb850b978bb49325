import type { PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SsmGenerationPublisher } from '../../core/aws/ssm-generation-publisher';

const generation = { generation: 'gen-2', clusterGeneration: 'gen-2', clusterCount: 12, campaignArn: 'arn:campaign', trackingId: 'track-1', alias: 'images' };

function recordingClient(failures: Record<string, string[]> = {}) {
  const puts: { Name?: string; Value?: string; Overwrite?: boolean; Type?: string }[] = [];
  return {
    puts,
    send: async (command: PutParameterCommand) => {
      const name = command.input.Name ?? '';
      const failure = failures[name]?.shift();
      if (failure) throw Object.assign(new Error(failure), { name: failure });
      puts.push(command.input);
      return {};
    },
  };
}

describe('SsmGenerationPublisher', () => {
  it('writes every serving parameter as an overwritten String, generation last', async () => {
    const client = recordingClient();
    await new SsmGenerationPublisher({ prefix: '/image-search/serving', client: client as never }).publish(generation);
    expect(client.puts.map((p) => [p.Name, p.Value])).toEqual([
      ['/image-search/serving/alias', 'images'],
      ['/image-search/serving/clusterGeneration', 'gen-2'],
      ['/image-search/serving/clusterCount', '12'],
      ['/image-search/serving/campaignArn', 'arn:campaign'],
      ['/image-search/serving/trackingId', 'track-1'],
      ['/image-search/serving/generation', 'gen-2'],
    ]);
    expect(client.puts.every((p) => p.Overwrite === true && p.Type === 'String')).toBe(true);
  });

  it('retries throttling and names the parameter when a write fails for good', async () => {
    const client = recordingClient({ '/p/trackingId': ['ThrottlingException'], '/p/generation': ['AccessDeniedException'] });
    const publisher = new SsmGenerationPublisher({ prefix: '/p', client: client as never, retry: { sleep: async () => {} } });
    await expect(publisher.publish(generation)).rejects.toThrow(/SSM PutParameter \/p\/generation failed: AccessDeniedException/);
    expect(client.puts.map((p) => p.Name)).toContain('/p/trackingId');
  });

  it('rejects a prefix that is not an SSM path', () => {
    expect(() => new SsmGenerationPublisher({ prefix: 'p/' })).toThrow(/prefix "p\/" must start with "\/"/);
  });
});
