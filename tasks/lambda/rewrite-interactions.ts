import { rewriteInteractionsTask } from '../rewrite-interactions';
import type { RewriteInteractionsEvent } from '../rewrite-interactions';
import type { StepContext } from '../task-input';
import { dataStore } from './environment';
import { instrument } from './instrument';

const store = dataStore();

/** The figures only: the sample rows go to the log, not into the state (256 KB limit). */
export const handler = instrument('Rewrite interactions', async (event: RewriteInteractionsEvent & StepContext) => {
  const { malformedSamples, unknownImageSamples, ...figures } = await rewriteInteractionsTask(event, { store });
  if (malformedSamples.length + unknownImageSamples.length > 0) console.warn(JSON.stringify({ malformedSamples, unknownImageSamples }));
  return figures;
});
