import { DynamoDBClient, GetItemCommand, ResourceNotFoundException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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
});
