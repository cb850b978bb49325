import { checkModelQuality } from '../check-model-quality';
import { instrument } from './instrument';

export const handler = instrument('Check model quality', checkModelQuality);
