/**
 * The OpenSearch Service domain that holds the k-NN index generations. No domain access policy: access is granted to
 * the pipeline's and serving's roles through their identity policies (`grantRead` / `grantReadWrite`), so no other
 * principal can reach it; requests must be SigV4-signed over HTTPS.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { DomainConfig } from '../config';

export interface VectorDomainProps {
  readonly config: DomainConfig;
  /** Keep the domain on `cdk destroy`. */
  readonly retain: boolean;
  readonly logRetention: logs.RetentionDays;
  /**
   * Engine version; faiss `cosinesimil` needs 2.19 or later.
   * @default OPENSEARCH_2_19
   */
  readonly version?: opensearch.EngineVersion;
}

export class VectorDomain extends Construct {
  readonly domain: opensearch.Domain;

  constructor(scope: Construct, id: string, props: VectorDomainProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logGroup = (name: string): logs.LogGroup => new logs.LogGroup(this, name, { retention: props.logRetention, removalPolicy });
    const slowSearch = logGroup('SlowSearchLogs');
    const slowIndex = logGroup('SlowIndexLogs');
    const app = logGroup('AppLogs');

    this.domain = new opensearch.Domain(this, 'Domain', {
      version: props.version ?? opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: {
        dataNodeInstanceType: config.instanceType,
        dataNodes: config.instanceCount,
        ...(config.dedicatedMasterType !== undefined && { masterNodeInstanceType: config.dedicatedMasterType, masterNodes: 3 }),
        multiAzWithStandbyEnabled: false,
      },
      ebs: { volumeSize: config.volumeGb, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      zoneAwareness: config.zoneAwareness ? { enabled: true, availabilityZoneCount: 2 } : { enabled: false },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndex,
        appLogEnabled: true,
        appLogGroup: app,
      },
      // The construct would create the Logs resource policy through a custom-resource Lambda; a plain resource is enough.
      suppressLogsResourcePolicy: true,
      removalPolicy,
    });

    const { account } = Stack.of(this);
    new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${Stack.of(this).stackName}-opensearch-logs`,
      policyDocument: Stack.of(this).toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'es.amazonaws.com' },
            Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
            Resource: [slowSearch.logGroupArn, slowIndex.logGroupArn, app.logGroupArn],
            Condition: { StringEquals: { 'aws:SourceAccount': account } },
          },
        ],
      }),
    });

    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS1',
      reason: 'Public endpoint on purpose: only SigV4-signed HTTPS requests from the pipeline and serving roles are allowed (no access policy, identity grants only), and the Lambdas run outside a VPC.',
    });
    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason: 'Access is by IAM identity (SigV4) from the pipeline and serving roles, not by IP allow-list: the Lambdas have no fixed addresses.',
    });
    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS5',
      reason: 'There is no domain access policy at all, so nothing is granted to anonymous principals; only identity policies of the two roles grant es:ESHttp* on this domain.',
    });
    if (config.dedicatedMasterType === undefined) {
      Validations.of(this.domain).acknowledge({
        id: 'AwsSolutions-OS4',
        reason: 'Dedicated master nodes are a config option (domain.dedicatedMasterType); the default small domain serves a rebuildable index, so three masters would triple its cost.',
      });
    }
    if (!config.zoneAwareness) {
      Validations.of(this.domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason: 'Zone awareness is a config option (domain.zoneAwareness), off here on purpose for a single-node test domain.',
      });
    }
  }

  /** Search only: HTTP GET and POST (k-NN queries are POSTs to _search). */
  grantSearch(grantee: iam.IGrantable): void {
    this.domain.grantRead(grantee);
  }
}
