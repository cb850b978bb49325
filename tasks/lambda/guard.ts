import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsExecutionGuard } from '../../core/aws/step-functions-execution-guard';
import { makeGuardHandler } from '../guard';
import { region } from './environment';
import { instrument, tracer } from './instrument';

const client = tracer.captureAWSv3Client(new SFNClient({ region: region() }));
export const handler = instrument('Check no other run', makeGuardHandler({ guard: new StepFunctionsExecutionGuard({ client }) }));
