/** Lambda entry of POST /events. */
import { lambdaHandler } from '../lambda-adapter';
import { instrument } from './observability';
import { apiHandlerFromEnv } from './service-from-env';

export const handler = instrument('Events', lambdaHandler(apiHandlerFromEnv()));
