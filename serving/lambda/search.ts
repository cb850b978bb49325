/** Lambda entry of GET/POST /search and GET /health. */
import { lambdaHandler } from '../lambda-adapter';
import { instrument } from './observability';
import { apiHandlerFromEnv } from './service-from-env';

export const handler = instrument('Search', lambdaHandler(apiHandlerFromEnv()));
