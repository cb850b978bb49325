/**
 * The UserHistory port on a DynamoDB table keyed by `userId` (string). The events Lambda marks a user on each event;
 * the search Lambda reads the mark before asking Personalize. Throttling is retried by the SDK's standard retry mode.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AppError, ValidationError } from '../errors';
import type { UserHistory } from '../ports/user-history';
import { errorMessage, errorName } from './retry';

export interface DynamoDbUserHistoryProps {
  readonly tableName: string;
  /** @default new DynamoDBClient({ region }) */
  readonly client?: DynamoDBClient;
  /** Used only when no client is given. */
  readonly region?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The table's partition key. */
export const USER_HISTORY_KEY = 'userId';

export class DynamoDbUserHistory implements UserHistory {
  private readonly client: DynamoDBClient;
  private readonly now: () => Date;

  constructor(private readonly props: DynamoDbUserHistoryProps) {
    if (typeof props.tableName !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(props.tableName)) {
      throw new ValidationError(`tableName ${JSON.stringify(props.tableName)} is not a DynamoDB table name (3-255 of letters, digits, "_", "-", ".")`, { field: 'tableName' });
    }
    this.client = props.client ?? new DynamoDBClient(props.region !== undefined ? { region: props.region } : {});
    this.now = props.now ?? (() => new Date());
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
