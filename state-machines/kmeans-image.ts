/**
 * The SageMaker built-in K-Means image per region. CDK does not resolve built-in algorithm images, so this is a table
 * from https://docs.aws.amazon.com/sagemaker/latest/dg/ecr-us-east-1.html#kmeans-us-east-1.title (one page per region).
 */
import { ValidationError } from '../core/errors';

const KMEANS_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '382416733822',
  'us-east-2': '404615174143',
  'us-west-1': '632365934929',
  'us-west-2': '174872318107',
  'eu-west-1': '438346466558',
  'eu-west-2': '644912444149',
  'eu-central-1': '664544806723',
  'ap-northeast-1': '351501993468',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '712309505854',
  'ap-south-1': '991648021394',
  'ca-central-1': '469771592824',
};

export const KMEANS_REPOSITORY = 'kmeans';

/** The account that hosts the K-Means image in `region`; throws for a region missing from the table. */
export function kmeansImageAccount(region: string): string {
  const account = KMEANS_ACCOUNTS[region];
  if (account === undefined) {
    throw new ValidationError(
      `no SageMaker K-Means image is known for region "${region}": deploy to one of ${Object.keys(KMEANS_ACCOUNTS).join(', ')}, ` +
        'or add the region\'s account to state-machines/kmeans-image.ts from the SageMaker "Docker registry paths" page',
      { field: 'region' },
    );
  }
  return account;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/kmeans:1`, for training and batch transform alike. */
export function kmeansImageUri(region: string): string {
  return `${kmeansImageAccount(region)}.dkr.ecr.${region}.amazonaws.com/${KMEANS_REPOSITORY}:1`;
}
