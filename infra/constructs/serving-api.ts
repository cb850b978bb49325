/**
 * Serving: the search and events Lambdas behind a REST API with request validation, stage and usage-plan throttling and
 * an API key, plus the table of users with history. Each Lambda has its own role with only what its route needs.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { TITAN_MODEL_ID } from '../../core/aws/titan-embedder';
import { SERVING_PARAMETERS } from '../../serving/aws-search-service';
import { SERVING_ENV } from '../../serving/lambda/serving-env';
import type { ServingConfig } from '../config';
import { acknowledgeWildcardResource, arnOf } from '../nag-findings';
import { eventsBodySchema, searchBodySchema } from './serving-api-models';

export interface ServingApiProps {
  readonly domain: opensearch.IDomain;
  readonly config: ServingConfig;
  /** SSM path the pipeline publishes the serving generation under (no trailing "/"). */
  readonly parameterPrefix: string;
  /** OpenSearch index name prefix; index = prefix + generation. */
  readonly indexPrefix: string;
  readonly alias: string;
  readonly embeddingLength: number;
  /** The campaign the pipeline creates; the search role may rank with it and nothing else. */
  readonly campaignName: string;
  readonly logRetention: logs.RetentionDays;
  readonly retainData: boolean;
  /** Base URL clients fetch images from (`<base>/<key>`), e.g. a CloudFront distribution. @default `/images/<imageId>` */
  readonly imageBaseUrl?: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export class ServingApi extends Construct {
  readonly api: apigw.RestApi;
  readonly searchFunction: nodejs.NodejsFunction;
  readonly eventsFunction: nodejs.NodejsFunction;
  readonly userHistory: dynamodb.Table;
  readonly apiKey: apigw.IApiKey;

  constructor(scope: Construct, id: string, props: ServingApiProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    if (!props.parameterPrefix.startsWith('/') || props.parameterPrefix.endsWith('/')) {
      throw new Error(`ServingApiProps.parameterPrefix "${props.parameterPrefix}" must start with "/" and not end with "/"`);
    }

    this.userHistory = new dynamodb.Table(this, 'UserHistory', {
      partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const environment: Record<string, string> = {
      [SERVING_ENV.parameterPrefix]: props.parameterPrefix,
      [SERVING_ENV.alias]: props.alias,
      [SERVING_ENV.openSearchEndpoint]: `https://${props.domain.domainEndpoint}`,
      [SERVING_ENV.indexPrefix]: props.indexPrefix,
      [SERVING_ENV.embeddingLength]: String(props.embeddingLength),
      [SERVING_ENV.userHistoryTable]: this.userHistory.tableName,
      [SERVING_ENV.defaultWeight]: String(props.config.personalizationWeight),
      [SERVING_ENV.candidates]: String(props.config.candidates),
      [SERVING_ENV.parameterCacheSeconds]: String(props.config.parameterCacheSeconds),
      ...(props.imageBaseUrl !== undefined && { [SERVING_ENV.imageBaseUrl]: props.imageBaseUrl }),
      POWERTOOLS_SERVICE_NAME: 'image-search-serving',
      POWERTOOLS_METRICS_NAMESPACE: 'ImageSearch',
    };
    this.searchFunction = this.createFunction('Search', 'search.ts', environment, props);
    this.eventsFunction = this.createFunction('Events', 'events.ts', environment, props);

    // Both read the published generation: exactly the six parameters, no path wildcard.
    const parameterArns = SERVING_PARAMETERS.map((name) => `arn:${partition}:ssm:${region}:${account}:parameter${props.parameterPrefix}/${name}`);
    for (const fn of [this.searchFunction, this.eventsFunction]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameters'], resources: parameterArns }));
    }
    // Search: embed the query, k-NN (POST _search), resolve generations (GET), rank the user's clusters.
    this.searchFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [`arn:${partition}:bedrock:${region}::foundation-model/${TITAN_MODEL_ID}`] }),
    );
    this.searchFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'], resources: [props.domain.domainArn, `${props.domain.domainArn}/*`] }),
    );
    this.searchFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['personalize:GetPersonalizedRanking'],
        resources: [`arn:${partition}:personalize:${region}:${account}:campaign/${props.campaignName}`],
      }),
    );
    this.userHistory.grant(this.searchFunction, 'dynamodb:GetItem');
    // Events: look the image up (GET _doc), send the event, mark the user.
    this.eventsFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['es:ESHttpGet'], resources: [`${props.domain.domainArn}/*`] }));
    this.eventsFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['personalize:PutEvents'], resources: [`arn:${partition}:personalize:${region}:${account}:event-tracker/*`] }),
    );
    this.userHistory.grant(this.eventsFunction, 'dynamodb:UpdateItem');

    this.api = this.createApi(props);
    this.apiKey = this.addUsagePlan(props.config);
    this.acknowledge(props);
  }

  private createFunction(name: string, entry: string, environment: Record<string, string>, props: ServingApiProps): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // An own role instead of AWSLambdaBasicExecutionRole: log writes are scoped to this function's log group.
    const role = new iam.Role(this, `${name}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    return new nodejs.NodejsFunction(this, name, {
      entry: join(REPO_ROOT, 'serving', 'lambda', entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_26_X,
      architecture: lambda.Architecture.X86_64,
      memorySize: props.config.memoryMb,
      timeout: Duration.seconds(29),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        // sharp is native: installed for the Lambda's platform next to the bundle rather than bundled.
        nodeModules: ['sharp'],
        externalModules: ['@aws-sdk/*'],
      },
    });
  }

  private createApi(props: ServingApiProps): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const api = new apigw.RestApi(this, 'Api', {
      description: 'Personalized image search: /search, /events, /health',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        throttlingRateLimit: props.config.throttleRateLimit,
        throttlingBurstLimit: props.config.throttleBurstLimit,
      },
      defaultMethodOptions: { apiKeyRequired: true },
    });
    const validateAll = new apigw.RequestValidator(this, 'ValidateBodyAndParameters', { restApi: api, validateRequestBody: true, validateRequestParameters: true });
    const model = (name: string, schema: apigw.JsonSchema): apigw.Model =>
      api.addModel(name, { contentType: 'application/json', modelName: name, schema });
    const search = new apigw.LambdaIntegration(this.searchFunction);
    const events = new apigw.LambdaIntegration(this.eventsFunction);

    const searchResource = api.root.addResource('search');
    searchResource.addMethod('GET', search, {
      requestValidator: validateAll,
      requestParameters: { 'method.request.querystring.q': false, 'method.request.querystring.userId': false, 'method.request.querystring.k': false, 'method.request.querystring.weight': false },
    });
    searchResource.addMethod('POST', search, { requestValidator: validateAll, requestModels: { 'application/json': model('SearchBody', searchBodySchema) } });
    api.root.addResource('events').addMethod('POST', events, { requestValidator: validateAll, requestModels: { 'application/json': model('EventBody', eventsBodySchema) } });
    api.root.addResource('health').addMethod('GET', search, { requestValidator: validateAll });
    return api;
  }

  private addUsagePlan(config: ServingConfig): apigw.IApiKey {
    const plan = this.api.addUsagePlan('UsagePlan', {
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      quota: { limit: config.quotaPerDay, period: apigw.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    const key = this.api.addApiKey('ApiKey', { description: 'Key of the image search clients; read its value with aws apigateway get-api-key --include-value' });
    plan.addApiKey(key);
    return key;
  }

  private acknowledge(props: ServingApiProps): void {
    const ack = (construct: Construct, id: string, reason: string): void => Validations.of(construct).acknowledge({ id, reason });
    const { region, account } = Stack.of(this);
    for (const fn of [this.searchFunction, this.eventsFunction]) {
      const role = fn.role as iam.Role;
      acknowledgeWildcardResource(role, '*', 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (added by tracing: ACTIVE).');
      acknowledgeWildcardResource(role, `${arnOf(props.domain)}/*`, 'OpenSearch paths are index names that change with every generation; the actions are read-only HTTP verbs on this one domain.');
    }
    acknowledgeWildcardResource(
      this.eventsFunction.role as iam.Role,
      `arn:<AWS::Partition>:personalize:${region}:${account}:event-tracker/*`,
      `The event tracker is created by the pipeline and its ARN is not known at deploy time; only PutEvents, in this account and region.`,
    );
    ack(this.api, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]', 'The account-level role API Gateway needs to write access and execution logs; AWS maintains its narrow logs-only policy.');
    ack(this.api, 'AwsSolutions-APIG3', 'No WAF web ACL by default: the API key, usage-plan quota and stage throttling bound abuse; attach a web ACL to the stage for a public deployment.');
    ack(this.api, 'AwsSolutions-APIG4', 'Clients authenticate with an API key tied to a throttled usage plan; the API is called by the product backend, not by end users directly.');
    ack(this.api, 'AwsSolutions-COG4', 'No Cognito user pool: callers are backend services holding the API key; end-user identity arrives as the userId field.');
  }
}
