import { makePrepareKmeansInputHandler } from '../prepare-kmeans-input';
import { dataStore } from './environment';
import { instrument } from './instrument';

export const handler = instrument('Prepare K-Means input', makePrepareKmeansInputHandler({ store: dataStore() }));
