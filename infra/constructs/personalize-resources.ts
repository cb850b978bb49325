/**
 * The Personalize resources CloudFormation manages: dataset group, interactions schema and dataset, and the role
 * Personalize assumes to read import files. The event tracker, solution, versions and campaign are created or updated
 * by the pipeline (and removed by the teardown), because they change with every run.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as personalize from 'aws-cdk-lib/aws-personalize';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource, arnOf } from '../nag-findings';

export interface PersonalizeResourcesProps {
  /** Name prefix of the dataset group and schema (names are unique per account and region). */
  readonly namePrefix: string;
  /** Bucket the import files are in. */
  readonly bucket: s3.IBucket;
  /** Key prefixes Personalize may read: where the pipeline writes the cluster-level interactions it imports. */
  readonly importPrefixes: readonly string[];
}

/** USER_ID and ITEM_ID strings (ITEM_ID is a cluster item id), TIMESTAMP in epoch seconds, EVENT_TYPE. */
export const INTERACTIONS_SCHEMA = {
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' },
    { name: 'EVENT_TYPE', type: 'string' },
  ],
  version: '1.0',
} as const;

export class PersonalizeResources extends Construct {
  readonly datasetGroupArn: string;
  readonly interactionsDatasetArn: string;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PersonalizeResourcesProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,40}$/.test(props.namePrefix)) {
      throw new Error(`PersonalizeResourcesProps.namePrefix "${props.namePrefix}" is invalid: use 1-41 letters, digits, "-" or "_"`);
    }
    if (props.importPrefixes.length === 0) throw new Error('PersonalizeResourcesProps.importPrefixes is empty: give the prefix the pipeline imports from');
    for (const prefix of props.importPrefixes) {
      if (prefix.startsWith('/') || !prefix.endsWith('/')) {
        throw new Error(`PersonalizeResourcesProps.importPrefixes entry "${prefix}" must be a key prefix without a leading "/" and ending in "/"`);
      }
    }

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com'),
      description: 'Lets Amazon Personalize read the interactions import files',
    });
    const patterns = props.importPrefixes.map((prefix) => `${prefix}*`);
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': patterns } } }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: patterns.map((p) => props.bucket.arnForObjects(p)) }));

    for (const pattern of patterns) {
      acknowledgeWildcardResource(this.role, `${arnOf(props.bucket)}/${pattern}`, 'Import files are named per pipeline run under this prefix; the role reads only objects below it.');
    }

    const group = new personalize.CfnDatasetGroup(this, 'DatasetGroup', { name: `${props.namePrefix}-styles` });
    const schema = new personalize.CfnSchema(this, 'InteractionsSchema', {
      name: `${props.namePrefix}-interactions`,
      schema: JSON.stringify(INTERACTIONS_SCHEMA),
    });
    const dataset = new personalize.CfnDataset(this, 'Interactions', {
      name: `${props.namePrefix}-interactions`,
      datasetType: 'Interactions',
      datasetGroupArn: group.attrDatasetGroupArn,
      schemaArn: schema.attrSchemaArn,
    });
    this.datasetGroupArn = group.attrDatasetGroupArn;
    this.interactionsDatasetArn = dataset.attrDatasetArn;
  }
}
