import { TitanEmbedder } from '../../core/aws/titan-embedder';
import { makeEmbedBatchHandler } from '../embed-batch';
import { dataStore, env, region } from './environment';
import { instrument } from './instrument';

const embedder = new TitanEmbedder({ region: region(), outputEmbeddingLength: Number(env('EMBEDDING_LENGTH')) });
export const handler = instrument('Embed batch', makeEmbedBatchHandler({ embedder, store: dataStore() }));
