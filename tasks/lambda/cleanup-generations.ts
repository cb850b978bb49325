import { makeCleanupGenerationsHandler } from '../cleanup-generations';
import { vectorIndex } from './environment';
import { instrument } from './instrument';

export const handler = instrument('Clean up generations', makeCleanupGenerationsHandler({ index: vectorIndex() }));
