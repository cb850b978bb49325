import { fromEnv } from '@aws-sdk/credential-providers';
import { describe, expect, it } from 'vitest';
import { describeAwsError, EXPIRED_CREDENTIALS_MESSAGE, NO_CREDENTIALS_MESSAGE, NO_REGION_MESSAGE } from '../../../core/aws/aws-errors';
import { AppError } from '../../../core/errors';

describe('describeAwsError', () => {
  it('turns the SDK error for missing credentials into one line that says what to set', async () => {
    // The error a credential provider throws when it finds nothing (the default chain throws the same class).
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const sdk = await fromEnv()().then(() => undefined, (error: unknown) => error);
    if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    expect((sdk as Error).name).toBe('CredentialsProviderError');
    const described = describeAwsError(sdk);
    expect(described).toBeInstanceOf(AppError);
    expect(described?.message).toBe(NO_CREDENTIALS_MESSAGE);
    expect(described?.cause).toBe(sdk);
  });

  it('recognises the message alone, and looks through an adapter error that wraps it', () => {
    const wrapped = new AppError('Personalize delete of campaign x failed', { cause: new Error('Could not load credentials from any providers') });
    expect(describeAwsError(wrapped)?.message).toBe(NO_CREDENTIALS_MESSAGE);
  });

  it('says to set a region when the SDK has none', () => {
    expect(describeAwsError(new Error('Region is missing'))?.message).toBe(NO_REGION_MESSAGE);
  });

  it('says to log in again when the session token has expired', () => {
    const expired = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    expect(describeAwsError(expired)?.message).toBe(EXPIRED_CREDENTIALS_MESSAGE);
  });

  it('leaves every other error to the caller', () => {
    expect(describeAwsError(new Error('ThrottlingException: Rate exceeded'))).toBeUndefined();
    expect(describeAwsError('a string')).toBeUndefined();
    expect(describeAwsError(undefined)).toBeUndefined();
  });
});
