/** The data bucket (images/, interactions/, pipeline prefixes) and the bucket its access logs go to. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DataBucketProps {
  /** Keep both buckets on `cdk destroy`; otherwise they are emptied and deleted. */
  readonly retain: boolean;
  /** Days the server access logs are kept. @default 90 */
  readonly accessLogDays?: number;
}

export class DataBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    const accessLogDays = props.accessLogDays ?? 90;
    if (!Number.isInteger(accessLogDays) || accessLogDays < 1) throw new Error(`DataBucketProps.accessLogDays must be a whole number of days >= 1, got ${accessLogDays}`);
    const removal = props.retain
      ? { removalPolicy: RemovalPolicy.RETAIN }
      : { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true };

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...removal,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(accessLogDays) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });

    // SSE-S3 rather than KMS: Personalize import jobs and SageMaker jobs read it without a key grant to each service role.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...removal,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
  }

  /**
   * Personalize reads import files with its service principal as well as through the role it is given.
   * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html
   */
  allowPersonalizeRead(prefixes: readonly string[], account: string): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PersonalizeReadsImports',
        principals: [new iam.ServicePrincipal('personalize.amazonaws.com')],
        actions: ['s3:GetObject', 's3:ListBucket'],
        resources: [this.bucket.bucketArn, ...prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`))],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }
}
