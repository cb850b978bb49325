/**
 * The SDK failures an operator meets before any AWS call works (no credentials, expired ones, no region), turned into
 * one line that says what to do. The SDK's own messages ("Could not load credentials from any providers", "Region is
 * missing") name neither the fix nor the variables to set.
 */
import { AppError } from '../errors';
import { errorName } from './retry';

export const NO_CREDENTIALS_MESSAGE =
  'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login';
export const EXPIRED_CREDENTIALS_MESSAGE = 'the AWS credentials have expired: run aws sso login (or refresh AWS_SESSION_TOKEN) and try again';
export const NO_REGION_MESSAGE = 'no AWS region set: set AWS_REGION (or a region in your AWS profile), or pass --region';

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);

/**
 * An AppError for a missing or expired credential or a missing region, looking through `cause` chains (an adapter's
 * AppError often wraps the SDK error); undefined for anything else, which the caller reports as it is.
 */
export function describeAwsError(error: unknown): AppError | undefined {
  let current: unknown = error;
  // A bound, so a cause cycle cannot loop.
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const name = errorName(current);
    const message = typeof (current as { message?: unknown }).message === 'string' ? (current as { message: string }).message : '';
    if (name === 'CredentialsProviderError' || message.includes('Could not load credentials from any providers')) {
      return new AppError(NO_CREDENTIALS_MESSAGE, { cause: error });
    }
    if ((name !== undefined && EXPIRED.has(name)) || /token (included in the request )?is expired/i.test(message)) {
      return new AppError(EXPIRED_CREDENTIALS_MESSAGE, { cause: error });
    }
    if (message === 'Region is missing') return new AppError(NO_REGION_MESSAGE, { cause: error });
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
