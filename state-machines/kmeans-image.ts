/**
 * The SageMaker built-in K-Means image per region. CDK does not resolve built-in algorithm images, so this is a table
 * from https://docs.aws.amazon.com/sagemaker/latest/dg/ecr-us-east-1.html#kmeans-us-east-1.title (one page per region).
 */
import { KMEANS_IMAGE_ACCOUNTS } from '../core/aws/sagemaker-kmeans';
import { ValidationError } from '../core/errors';

// One table for the whole project: the adapters' glue keeps it beside the other K-Means formats.
const KMEANS_ACCOUNTS = KMEANS_IMAGE_ACCOUNTS;

export const KMEANS_REPOSITORY = 'kmeans';

/** The account that hosts the K-Means image in `region`; throws for a region missing from the table. */
export function kmeansImageAccount(region: string): string {
  const account = KMEANS_ACCOUNTS[region];
  if (account === undefined) {
    throw new ValidationError(
      `no SageMaker K-Means image is known for region "${region}": deploy to one of ${Object.keys(KMEANS_ACCOUNTS).join(', ')}, ` +
        'or add the region\'s account to KMEANS_IMAGE_ACCOUNTS in core/aws/sagemaker-kmeans.ts from the SageMaker "Docker registry paths" page',
      { field: 'region' },
    );
  }
  return account;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/kmeans:1`, for training and batch transform alike. */
export function kmeansImageUri(region: string): string {
  return `${kmeansImageAccount(region)}.dkr.ecr.${region}.amazonaws.com/${KMEANS_REPOSITORY}:1`;
}
