/**
 * The pipeline's Lambda functions: one per handler in `tasks/`, each with only the grants its step needs, bundled from
 * the thin entry files in `tasks/lambda/` with the local esbuild.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { PipelineSettings } from './pipeline-settings';
import { PIPELINE_PREFIXES, TRAINED_USERS_FILE } from './pipeline-keys';

const TITAN_MODEL_ID = 'amazon.titan-embed-image-v1';

export interface TaskFunctionsProps {
  readonly dataBucket: s3.IBucket;
  readonly domain: opensearch.IDomain;
  readonly settings: PipelineSettings;
  readonly servingParameterPrefix: string;
  /** ARN of the state machine the guard inspects; built from its name, since a reference would be circular. */
  readonly stateMachineArn: string;
  /** Where "Publish generation" marks the trained users. @default none: the publish function marks nobody */
  readonly userHistoryTable?: dynamodb.ITable;
}

/** The functions by step, named like their entry files. */
export class TaskFunctions extends Construct {
  readonly guard: lambda.IFunction;
  readonly embedBatch: lambda.IFunction;
  readonly prepareKmeansInput: lambda.IFunction;
  readonly writeAssignments: lambda.IFunction;
  readonly rewriteInteractions: lambda.IFunction;
  readonly indexImages: lambda.IFunction;
  readonly publishGeneration: lambda.IFunction;
  readonly cleanupGenerations: lambda.IFunction;
  readonly checkModelQuality: lambda.IFunction;
  /** Roles that call the OpenSearch domain: the domain's access policy must allow them. */
  readonly domainClientRoles: iam.IRole[];

  constructor(scope: Construct, id: string, props: TaskFunctionsProps) {
    super(scope, id);
    const { dataBucket: bucket, settings } = props;
    const common: Record<string, string> = {
      BUCKET_NAME: bucket.bucketName,
      EMBEDDING_LENGTH: String(settings.embeddingLength),
      DOMAIN_ENDPOINT: `https://${props.domain.domainEndpoint}`,
      INDEX_PREFIX: `${settings.indexPrefix}-`,
      PARAMETER_PREFIX: props.servingParameterPrefix,
      POWERTOOLS_SERVICE_NAME: 'retraining-pipeline',
      POWERTOOLS_METRICS_NAMESPACE: 'ImageSearch/Pipeline',
    };
    // sharp (used to resize images for Titan) is native: it is installed next to the bundle for the build host's
    // platform (linux-x64) rather than bundled, so a function that needs it runs on x86_64.
    const make = (name: string, timeout: Duration, memoryMb = settings.taskMemoryMb, needsSharp = false): lambdaNodejs.NodejsFunction =>
      new lambdaNodejs.NodejsFunction(this, name, {
        entry: fileURLToPath(new URL(`../tasks/lambda/${name}.ts`, import.meta.url)),
        handler: 'handler',
        // cdk-nag AwsSolutions-L1 wants the newest Node.js runtime CDK knows.
        runtime: lambda.Runtime.NODEJS_26_X,
        architecture: needsSharp ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
        memorySize: memoryMb,
        timeout,
        tracing: lambda.Tracing.ACTIVE,
        environment: common,
        logGroup: new logs.LogGroup(this, `${name}-logs`, { retention: logs.RetentionDays.ONE_MONTH }),
        bundling: { minify: true, sourceMap: true, target: 'node22', externalModules: ['@aws-sdk/*'], ...(needsSharp && { nodeModules: ['sharp'] }) },
      });

    const guard = make('guard', Duration.seconds(30), 256);
    guard.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [props.stateMachineArn] }));
    this.guard = guard;

    const embedBatch = make('embed-batch', Duration.minutes(5), settings.taskMemoryMb, true);
    bucket.grantRead(embedBatch, `${PIPELINE_PREFIXES.images}*`);
    bucket.grantPut(embedBatch, `${PIPELINE_PREFIXES.embeddings}*`);
    embedBatch.addToRolePolicy(new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [Stack.of(this).formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: TITAN_MODEL_ID })],
    }));
    this.embedBatch = embedBatch;

    const prepare = make('prepare-kmeans-input', Duration.minutes(15));
    bucket.grantRead(prepare, `${PIPELINE_PREFIXES.embeddings}*`);
    bucket.grantPut(prepare, `${PIPELINE_PREFIXES.kmeans}*`);
    this.prepareKmeansInput = prepare;

    const assignments = make('write-assignments', Duration.minutes(15));
    bucket.grantRead(assignments, `${PIPELINE_PREFIXES.kmeans}*`);
    bucket.grantPut(assignments, `${PIPELINE_PREFIXES.assignments}*`);
    this.writeAssignments = assignments;

    const rewrite = make('rewrite-interactions', Duration.minutes(15));
    bucket.grantRead(rewrite, settings.interactionsKey);
    bucket.grantRead(rewrite, `${PIPELINE_PREFIXES.assignments}*`);
    bucket.grantPut(rewrite, `${PIPELINE_PREFIXES.personalize}*`);
    this.rewriteInteractions = rewrite;

    const index = make('index-images', Duration.minutes(15));
    bucket.grantRead(index, `${PIPELINE_PREFIXES.embeddings}*`);
    bucket.grantRead(index, `${PIPELINE_PREFIXES.assignments}*`);
    bucket.grantRead(index, settings.manifestKey);
    props.domain.grantReadWrite(index);
    this.indexImages = index;

    // Marking trained users is ~4 sequential BatchWriteItem calls per 100 users, so a large user base needs minutes.
    const publish = make('publish-generation', props.userHistoryTable ? Duration.minutes(10) : Duration.minutes(1), 256);
    props.domain.grantReadWrite(publish);
    if (props.userHistoryTable) {
      publish.addEnvironment('USER_HISTORY_TABLE', props.userHistoryTable.tableName);
      // BatchWriteItem only, not grantWriteData: the step adds marks and must not update or delete serving's items.
      publish.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [props.userHistoryTable.tableArn] }));
      bucket.grantRead(publish, `${PIPELINE_PREFIXES.personalize}*/${TRAINED_USERS_FILE}`);
    }
    publish.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ssm:PutParameter', 'ssm:GetParameters'],
      resources: [Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${props.servingParameterPrefix.replace(/^\//, '')}/*` })],
    }));
    this.publishGeneration = publish;

    const cleanup = make('cleanup-generations', Duration.minutes(5), 256);
    props.domain.grantReadWrite(cleanup);
    this.cleanupGenerations = cleanup;

    // Pure arithmetic on the two metric maps the state machine hands it: no grants.
    this.checkModelQuality = make('check-model-quality', Duration.seconds(30), 256);

    this.domainClientRoles = [index, publish, cleanup].map((fn) => fn.role as iam.IRole);
  }

  get all(): lambda.IFunction[] {
    return [
      this.guard, this.embedBatch, this.prepareKmeansInput, this.writeAssignments, this.rewriteInteractions, this.indexImages,
      this.publishGeneration, this.cleanupGenerations, this.checkModelQuality,
    ];
  }
}
