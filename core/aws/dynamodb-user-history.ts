/**
 * The UserHistory port on a DynamoDB table keyed by `userId` (string). The events Lambda marks a user on each event;
 * the pipeline marks every trained user at publish; the search Lambda reads the mark before asking Personalize.
 * Throttling is retried by the SDK's standard retry mode; a batch's UnprocessedItems are resent here.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 */
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { AppError, ValidationError } from '../errors';
import type { UserHistory } from '../ports/user-history';
import { defaultSleep, errorMessage, errorName } from './retry';

export interface DynamoDbUserHistoryProps {
  readonly tableName: string;
  /** @default new DynamoDBClient({ region }) */
  readonly client?: DynamoDBClient;
  /** Used only when no client is given. */
  readonly region?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Tries per batch while DynamoDB hands back UnprocessedItems, the first one included. @default 8 */
  readonly maxBatchAttempts?: number;
  /** Injectable so tests record the backoff instead of waiting. @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** BatchWriteItem takes at most 25 put or delete requests. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html */
export const BATCH_WRITE_LIMIT = 25;
/** Unprocessed items mean the table is throttled; AWS asks for exponential backoff before resending them. */
const BATCH_BACKOFF_BASE_MS = 50;
const BATCH_BACKOFF_CAP_MS = 5_000;

/** The table's partition key. */
export const USER_HISTORY_KEY = 'userId';

export class DynamoDbUserHistory implements UserHistory {
  private readonly client: DynamoDBClient;
  private readonly now: () => Date;
  private readonly maxBatchAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly props: DynamoDbUserHistoryProps) {
    if (typeof props.tableName !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(props.tableName)) {
      throw new ValidationError(`tableName ${JSON.stringify(props.tableName)} is not a DynamoDB table name (3-255 of letters, digits, "_", "-", ".")`, { field: 'tableName' });
    }
    this.client = props.client ?? new DynamoDBClient(props.region !== undefined ? { region: props.region } : {});
    this.now = props.now ?? (() => new Date());
    this.maxBatchAttempts = props.maxBatchAttempts ?? 8;
    if (!Number.isInteger(this.maxBatchAttempts) || this.maxBatchAttempts < 1) {
      throw new ValidationError(`maxBatchAttempts must be an integer >= 1, got ${props.maxBatchAttempts}`, { field: 'maxBatchAttempts' });
    }
    this.sleep = props.sleep ?? defaultSleep;
  }

  async hasHistory(userId: string): Promise<boolean> {
    requireUserId(userId);
    const response = await this.call('GetItem', () =>
      this.client.send(new GetItemCommand({ TableName: this.props.tableName, Key: { [USER_HISTORY_KEY]: { S: userId } }, ProjectionExpression: USER_HISTORY_KEY })),
    );
    return response.Item !== undefined;
  }

  async recordActivity(userId: string): Promise<void> {
    requireUserId(userId);
    const now = this.now();
    await this.call('UpdateItem', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.props.tableName,
          Key: { [USER_HISTORY_KEY]: { S: userId } },
          // Keeps the first-seen time and moves the last-seen time, so a repeated event is harmless.
          UpdateExpression: 'SET firstActivity = if_not_exists(firstActivity, :now), lastActivity = :now',
          ExpressionAttributeValues: { ':now': { S: now.toISOString() } },
        }),
      ),
    );
  }

  /**
   * BatchWriteItem can only put whole items, not `if_not_exists`, so a user already in the table gets its firstActivity
   * moved to now; nothing reads firstActivity for decisions, and one conditional UpdateItem per user would cost 25x the
   * requests for a bulk backfill of every trained user.
   */
  async recordActivities(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) requireUserId(userId);
    // A batch must not name the same key twice (ValidationException), so duplicates go first.
    const unique = [...new Set(userIds)];
    const now = { S: this.now().toISOString() };
    for (let start = 0; start < unique.length; start += BATCH_WRITE_LIMIT) {
      const requests: WriteRequest[] = unique.slice(start, start + BATCH_WRITE_LIMIT).map((userId) => ({
        PutRequest: { Item: { [USER_HISTORY_KEY]: { S: userId }, firstActivity: now, lastActivity: now } },
      }));
      await this.writeBatch(requests);
    }
  }

  /** Resends UnprocessedItems with capped exponential backoff until none are left or the attempts run out. */
  private async writeBatch(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 1; ; attempt++) {
      const response = await this.call('BatchWriteItem', () =>
        this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.props.tableName]: pending } })),
      );
      pending = response.UnprocessedItems?.[this.props.tableName] ?? [];
      if (pending.length === 0) return;
      if (attempt >= this.maxBatchAttempts) {
        throw new AppError(
          `DynamoDB BatchWriteItem on ${this.props.tableName} left ${pending.length} of ${requests.length} users unprocessed after ${attempt} attempts; the table is throttled: raise its capacity or retry later`,
        );
      }
      await this.sleep(Math.min(BATCH_BACKOFF_CAP_MS, BATCH_BACKOFF_BASE_MS * 2 ** (attempt - 1)));
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new AppError(`DynamoDB table ${this.props.tableName} does not exist (${operation}); check the USER_HISTORY_TABLE setting`, { cause: error });
      }
      throw new AppError(`DynamoDB ${operation} on ${this.props.tableName} failed: ${errorName(error) ?? 'Error'}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

function requireUserId(userId: string): void {
  if (typeof userId !== 'string' || userId.length === 0) throw new ValidationError('userId must be a non-empty string', { field: 'userId' });
}
