/**
 * Runs tasks/lambda/teardown.ts when the stack is deleted, through a custom resource: it removes the campaign, the
 * solution and its versions, the event tracker, every index generation and the serving parameters, which the pipeline
 * created outside CloudFormation. Declare it after what it cleans and make it depend on those resources
 * (`dependOn`), so CloudFormation deletes it, and runs the teardown, before the dataset group, domain and bucket.
 * One 15-minute Lambda invocation (no isComplete polling): a campaign delete takes a few minutes and the solution's
 * follows; the handler bounds each wait so the whole fits.
 */
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { arnOf } from '../nag-findings';

export interface PipelineTeardownProps {
  /** The dataset group whose campaigns, solutions and event trackers are deleted. */
  readonly datasetGroupArn: string;
  /** Name of the campaign the pipeline creates (its ARN is named after it). */
  readonly campaignName: string;
  /** Name of the solution the pipeline creates and retrains. */
  readonly solutionName: string;
  /** The k-NN domain holding the index generations. */
  readonly domain: opensearch.IDomain;
  /** Index names are `<indexPrefix><generation>`, as OpenSearchVectorIndex names them (e.g. `images-`). */
  readonly indexPrefix: string;
  /** The serving alias, removed before the generations it points at. */
  readonly alias: string;
  /** SSM path of the serving parameters, e.g. `/image-search/serving`. */
  readonly parameterPrefix: string;
  /** Keep the alias and index generations: the domain is retained with the stack's data. @default false */
  readonly keepIndex?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class PipelineTeardown extends Construct {
  readonly function: lambdaNodejs.NodejsFunction;
  readonly provider: cr.Provider;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: PipelineTeardownProps) {
    super(scope, id);
    if (!/^\/[A-Za-z0-9_.\-/]*[^/]$/.test(props.parameterPrefix)) {
      throw new Error(`PipelineTeardownProps.parameterPrefix "${props.parameterPrefix}" must start with "/" and not end with "/"`);
    }
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(props.indexPrefix)) {
      throw new Error(`PipelineTeardownProps.indexPrefix "${props.indexPrefix}" must be lowercase letters, digits, ".", "_" or "-" (an OpenSearch index name prefix)`);
    }
    for (const [field, value] of [['campaignName', props.campaignName], ['solutionName', props.solutionName]] as const) {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/.test(value)) throw new Error(`PipelineTeardownProps.${field} "${value}" is not a valid Personalize name`);
    }
    const stack = Stack.of(this);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.function = new lambdaNodejs.NodejsFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../../tasks/lambda/teardown.ts', import.meta.url)),
      handler: 'handler',
      // cdk-nag AwsSolutions-L1 wants the newest Node.js runtime CDK knows.
      runtime: lambda.Runtime.NODEJS_26_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // The Lambda maximum: a campaign delete alone takes minutes.
      timeout: Duration.minutes(15),
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        DOMAIN_ENDPOINT: `https://${props.domain.domainEndpoint}`,
        INDEX_PREFIX: props.indexPrefix,
        PARAMETER_PREFIX: props.parameterPrefix,
        POWERTOOLS_SERVICE_NAME: 'pipeline-teardown',
      },
      logGroup: new logs.LogGroup(this, 'HandlerLogs', { retention }),
      bundling: { minify: true, sourceMap: true, target: 'node22', externalModules: ['@aws-sdk/*'] },
    });

    const personalizeArn = (resource: string) => stack.formatArn({ service: 'personalize', resource });
    const role = this.function;
    // Personalize's List* actions have no resource-level permissions (Service Authorization Reference).
    role.addToRolePolicy(new iam.PolicyStatement({
      actions: ['personalize:ListSolutions', 'personalize:ListSolutionVersions', 'personalize:ListCampaigns', 'personalize:ListEventTrackers'],
      resources: ['*'],
    }));
    role.addToRolePolicy(new iam.PolicyStatement({
      actions: ['personalize:DeleteCampaign', 'personalize:DescribeCampaign'],
      resources: [personalizeArn(`campaign/${props.campaignName}`)],
    }));
    role.addToRolePolicy(new iam.PolicyStatement({
      actions: ['personalize:DeleteSolution', 'personalize:DescribeSolution'],
      resources: [personalizeArn(`solution/${props.solutionName}`)],
    }));
    // Event tracker ARNs end in an id Personalize assigns at creation.
    role.addToRolePolicy(new iam.PolicyStatement({
      actions: ['personalize:DeleteEventTracker', 'personalize:DescribeEventTracker'],
      resources: [personalizeArn('event-tracker/*')],
    }));
    role.addToRolePolicy(new iam.PolicyStatement({
      actions: ['es:ESHttpGet', 'es:ESHttpDelete'],
      resources: [props.domain.domainArn, `${props.domain.domainArn}/*`],
    }));
    role.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ssm:DeleteParameters'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${props.parameterPrefix.replace(/^\//, '')}/*` })],
    }));

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention }),
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::PipelineTeardown',
      properties: { DatasetGroupArn: props.datasetGroupArn, Alias: props.alias, KeepIndex: String(props.keepIndex ?? false) },
    });
    this.acknowledgeFindings(props);
  }

  /** Makes the teardown resource depend on what it cleans, so CloudFormation deletes the teardown first. */
  dependOn(...resources: IConstruct[]): void {
    for (const resource of resources) this.resource.node.addDependency(resource);
  }

  /** Acknowledges the cdk-nag findings that are as narrow as the services allow, each with the reason. */
  private acknowledgeFindings(props: PipelineTeardownProps): void {
    const stack = Stack.of(this);
    const at = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id, reason });
    const arn = (service: string, resource: string) => `arn:<AWS::Partition>:${service}:${stack.region}:${stack.account}:${resource}`;
    for (const construct of [this.function, this.provider]) {
      at(
        construct,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The teardown function and the provider framework write only their own CloudWatch logs; the basic execution policy grants exactly that.',
      );
    }
    at(this.function, 'AwsSolutions-IAM5[Resource::*]',
      "Personalize ListSolutions/ListSolutionVersions/ListCampaigns/ListEventTrackers and X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions.");
    at(this.function, `AwsSolutions-IAM5[Resource::${arn('personalize', 'event-tracker/*')}]`,
      'The event tracker ARN ends in an id Personalize assigns when the pipeline creates it; delete and describe only.');
    at(this.function, `AwsSolutions-IAM5[Resource::${arnOf(props.domain)}/*]`,
      'Index generations are named at run time; GET and DELETE only, on this one domain.');
    at(this.function, `AwsSolutions-IAM5[Resource::${arn('ssm', `parameter${props.parameterPrefix}/*`)}]`,
      'The serving parameters sit under one path prefix; DeleteParameters only.');
    at(this.provider, 'AwsSolutions-L1',
      "The provider framework's own onEvent function takes the runtime CDK picks (determineLatestNodeRuntime) and Provider has no prop to change it; the teardown code runs in the NODEJS_26_X function it invokes.");
    at(this.provider, `AwsSolutions-IAM5[Resource::${arnOf(this.function)}:*]`,
      "The provider framework's invoke grant covers the teardown function's versions and aliases (the :* qualifier); it names one function.");
  }
}
