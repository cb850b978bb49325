/** The definition's S3 locations as local store keys: `s3://<bucket>/<key>` or `https://s3.<region>.amazonaws.com/<bucket>/<key>`. */
import { ValidationError } from '../core/errors';

export function keyOfS3Uri(uri: unknown, field: string): string {
  if (typeof uri !== 'string') throw new ValidationError(`${field} must be an S3 URI, got ${JSON.stringify(uri)}`, { field });
  const match = /^s3:\/\/[^/]+\/(.*)$/.exec(uri) ?? /^https:\/\/s3[.-][^/]*amazonaws\.com\/[^/]+\/(.*)$/.exec(uri);
  if (!match) throw new ValidationError(`${field} "${uri}" is not an S3 URI (s3://bucket/key)`, { field });
  return match[1] as string;
}
