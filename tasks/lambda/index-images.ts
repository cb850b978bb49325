import { makeIndexImagesHandler } from '../index-images';
import { dataStore, vectorIndex } from './environment';
import { instrument } from './instrument';

export const handler = instrument('Index images', makeIndexImagesHandler({ index: vectorIndex(), store: dataStore() }));
