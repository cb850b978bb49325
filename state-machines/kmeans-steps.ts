/**
 * Clustering with the SageMaker built-in K-Means: train (createTrainingJob.sync), create the model, assign every
 * image with a batch transform (createTransformJob.sync). All three run as one execution role scoped to `kmeans/`.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/k-means.html
 */
import { ArnFormat, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { KMEANS_REPOSITORY, kmeansImageAccount, kmeansImageUri } from './kmeans-image';
import { PIPELINE_PREFIXES } from './pipeline-keys';
import type { PipelineSettings } from './pipeline-settings';
import { retryThrottling } from './retry-throttling';

/** An S3 URI read from the state at run time, with grants scoped to the bucket prefix it always lies under. */
class PrefixedJsonPathLocation extends tasks.S3Location {
  constructor(private readonly bucket: s3.IBucket, private readonly keyPrefix: string, private readonly uriPath: string) {
    super();
  }

  bind(task: tasks.ISageMakerTask, opts: tasks.S3LocationBindOptions): tasks.S3LocationConfig {
    if (opts.forReading) this.bucket.grantRead(task, `${this.keyPrefix}*`);
    if (opts.forWriting) this.bucket.grantWrite(task, `${this.keyPrefix}*`);
    return { uri: sfn.JsonPath.stringAt(this.uriPath) };
  }
}

export interface KmeansStepsProps {
  readonly bucket: s3.IBucket;
  readonly settings: PipelineSettings;
  /** Collects every task so the caller can give each the main Catch. */
  readonly tasks: { addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown }[];
}

/** "ml.m5.large" -> the ec2.InstanceType CDK expects (it adds the "ml." back when rendering). */
function sagemakerInstance(type: string): ec2.InstanceType {
  return new ec2.InstanceType(type.replace(/^ml\./, ''));
}

/** Train, create the model, transform: reads `$.run`, `$.keys`, `$.kmeansInput`; writes `$.training`. */
export class KmeansSteps extends Construct {
  readonly chain: sfn.Chain;
  /** The execution role SageMaker assumes for all three jobs. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: KmeansStepsProps) {
    super(scope, id);
    const { bucket, settings } = props;
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      throw new ValidationError('RetrainingStateMachine needs a stack with an explicit env region to pick the SageMaker K-Means image', { field: 'region' });
    }
    const image = tasks.DockerImage.fromRegistry(kmeansImageUri(stack.region));
    const generation = sfn.JsonPath.stringAt('$.run.generation');
    const maxRuntime = Duration.hours(settings.sagemakerMaxRuntimeHours);

    this.role = new iam.Role(this, 'SageMakerRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Runs the retraining K-Means training and batch transform jobs',
    });
    bucket.grantReadWrite(this.role, `${PIPELINE_PREFIXES.kmeans}*`);
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [stack.formatArn({ service: 'ecr', account: kmeansImageAccount(stack.region), resource: 'repository', resourceName: KMEANS_REPOSITORY })],
    }));
    // GetAuthorizationToken and PutMetricData have no resource-level permissions.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));

    const train = new tasks.SageMakerCreateTrainingJob(this, 'Train K-Means', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      trainingJobName: sfn.JsonPath.format('kmeans-{}', generation),
      role: this.role,
      algorithmSpecification: { trainingImage: image, trainingInputMode: tasks.InputMode.FILE },
      inputDataConfig: [{
        channelName: 'train',
        // label_size=0: the CSV has features only; the built-in K-Means rejects a header row.
        contentType: 'text/csv;label_size=0',
        dataSource: {
          s3DataSource: {
            s3DataType: tasks.S3DataType.S3_PREFIX,
            s3DataDistributionType: tasks.S3DataDistributionType.FULLY_REPLICATED,
            s3Location: new PrefixedJsonPathLocation(bucket, PIPELINE_PREFIXES.kmeans, '$.keys.kmeansTrainUri'),
          },
        },
      }],
      outputDataConfig: { s3OutputLocation: tasks.S3Location.fromBucket(bucket, `${PIPELINE_PREFIXES.kmeans}models/`) },
      resourceConfig: { instanceCount: 1, instanceType: sagemakerInstance(settings.kmeansInstanceType), volumeSize: Size.gibibytes(30) },
      stoppingCondition: { maxRuntime },
      hyperparameters: {
        k: String(settings.k),
        feature_dim: String(settings.embeddingLength),
        epochs: String(settings.kmeansEpochs),
        init_method: 'kmeans++',
        // A mini-batch larger than the data fails the job; prepare-kmeans-input caps it at the row count.
        'mini_batch_size.$': '$.kmeansInput.miniBatchSize',
      },
      resultSelector: {
        'modelArtifacts.$': '$.ModelArtifacts.S3ModelArtifacts',
        'trainingJobName.$': '$.TrainingJobName',
      },
      resultPath: '$.training',
    });

    const model = new tasks.SageMakerCreateModel(this, 'Create K-Means model', {
      modelName: sfn.JsonPath.format('kmeans-{}', generation),
      role: this.role,
      primaryContainer: new tasks.ContainerDefinition({
        image,
        mode: tasks.Mode.SINGLE_MODEL,
        modelS3Location: new PrefixedJsonPathLocation(bucket, PIPELINE_PREFIXES.kmeans, '$.training.modelArtifacts'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });

    const transform = new tasks.SageMakerCreateTransformJob(this, 'Assign clusters', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      transformJobName: sfn.JsonPath.format('kmeans-assign-{}', generation),
      modelName: sfn.JsonPath.format('kmeans-{}', generation),
      role: this.role,
      transformInput: {
        transformDataSource: { s3DataSource: { s3DataType: tasks.S3DataType.S3_PREFIX, s3Uri: sfn.JsonPath.stringAt('$.keys.kmeansTrainUri') } },
        contentType: 'text/csv',
        // One record per line in, one JSON line per record out, in the same order: ids line up by position.
        splitType: tasks.SplitType.LINE,
      },
      transformOutput: {
        s3OutputPath: sfn.JsonPath.stringAt('$.keys.transformOutputUri'),
        accept: 'application/jsonlines',
        assembleWith: tasks.AssembleWith.LINE,
      },
      transformResources: { instanceCount: 1, instanceType: sagemakerInstance(settings.transformInstanceType) },
      resultPath: sfn.JsonPath.DISCARD,
    });

    for (const task of [train, model, transform]) {
      retryThrottling(task, 'SageMaker');
      props.tasks.push(task);
    }
    this.chain = sfn.Chain.start(train).next(model).next(transform);
  }
}
