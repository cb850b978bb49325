import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException, ResourceNotFoundException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbUserHistory } from '../../../core/aws/dynamodb-user-history';
import { ValidationError } from '../../../core/errors';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const now = () => new Date('2026-12-04T12:00:00Z');

beforeEach(() => ddb.reset());

describe('DynamoDbUserHistory', () => {
  it('says a user has history when the table has their item', async () => {
    ddb.on(GetItemCommand, { Key: { userId: { S: 'alice' } } }).resolves({ Item: { userId: { S: 'alice' } } });
    ddb.on(GetItemCommand, { Key: { userId: { S: 'bob' } } }).resolves({});
    const history = new DynamoDbUserHistory({ tableName: 'users', client });
    expect(await history.hasHistory('alice')).toBe(true);
    expect(await history.hasHistory('bob')).toBe(false);
    expect(ddb.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({ TableName: 'users', Key: { userId: { S: 'alice' } }, ProjectionExpression: 'userId' });
  });

  it('records activity idempotently: first-seen kept, last-seen moved', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await new DynamoDbUserHistory({ tableName: 'users', client, now }).recordActivity('alice');
    const input = ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ TableName: 'users', Key: { userId: { S: 'alice' } }, ExpressionAttributeValues: { ':now': { S: '2026-12-04T12:00:00.000Z' } } });
    expect(input?.UpdateExpression).toContain('if_not_exists(firstActivity, :now)');
  });

  it('names the table when it does not exist', async () => {
    ddb.on(GetItemCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    await expect(new DynamoDbUserHistory({ tableName: 'users', client }).hasHistory('alice')).rejects.toThrow(/table users does not exist/);
  });

  it('rejects an empty user id and a malformed table name', async () => {
    await expect(new DynamoDbUserHistory({ tableName: 'users', client }).recordActivity('')).rejects.toThrow(ValidationError);
    expect(() => new DynamoDbUserHistory({ tableName: 'a b', client })).toThrow(/tableName/);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('marks many users in batches of 25 with the same item shape, each user once', async () => {
    ddb.on(BatchWriteItemCommand).resolves({});
    const ids = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    await new DynamoDbUserHistory({ tableName: 'users', client, now }).recordActivities([...ids, 'user-0', 'user-59']);
    const batches = ddb.commandCalls(BatchWriteItemCommand).map((call) => call.args[0].input.RequestItems?.['users'] ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([25, 25, 10]);
    expect(batches.flat().map((request) => request.PutRequest?.Item?.['userId']?.S)).toEqual(ids);
    const stamp = { S: '2026-12-04T12:00:00.000Z' };
    expect(batches[0]?.[0]).toEqual({ PutRequest: { Item: { userId: { S: 'user-0' }, firstActivity: stamp, lastActivity: stamp } } });
  });

  it('resends unprocessed items with growing backoff until all are written', async () => {
    const leftover = (ids: string[]): WriteRequest[] => ids.map((id) => ({ PutRequest: { Item: { userId: { S: id } } } }));
    ddb.on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { users: leftover(['b', 'c']) } })
      .resolvesOnce({ UnprocessedItems: { users: leftover(['c']) } })
      .resolves({});
    const delays: number[] = [];
    await new DynamoDbUserHistory({ tableName: 'users', client, sleep: async (ms) => void delays.push(ms) }).recordActivities(['a', 'b', 'c']);
    const sent = ddb.commandCalls(BatchWriteItemCommand).map((call) => (call.args[0].input.RequestItems?.['users'] ?? []).map((r) => r.PutRequest?.Item?.['userId']?.S));
    expect(sent).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
    expect(delays).toEqual([50, 100]);
  });

  it('gives up after the bounded attempts, naming how many users were left', async () => {
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: { users: [{ PutRequest: { Item: { userId: { S: 'a' } } } }] } });
    const history = new DynamoDbUserHistory({ tableName: 'users', client, maxBatchAttempts: 3, sleep: async () => undefined });
    await expect(history.recordActivities(['a', 'b'])).rejects.toThrow(/left 1 of 2 users unprocessed after 3 attempts/);
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(3);
  });

  it('translates batch errors and rejects an empty user id before writing anything', async () => {
    ddb.on(BatchWriteItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(new DynamoDbUserHistory({ tableName: 'users', client }).recordActivities(['a'])).rejects.toThrow(
      /DynamoDB BatchWriteItem on users failed: ProvisionedThroughputExceededException: slow down/,
    );
    ddb.reset();
    await expect(new DynamoDbUserHistory({ tableName: 'users', client }).recordActivities(['a', ''])).rejects.toThrow(ValidationError);
    await new DynamoDbUserHistory({ tableName: 'users', client }).recordActivities([]);
    expect(ddb.calls()).toHaveLength(0);
  });
});
