import { makeWriteAssignmentsHandler } from '../write-assignments';
import { dataStore } from './environment';
import { instrument } from './instrument';

export const handler = instrument('Write cluster assignments', makeWriteAssignmentsHandler({ store: dataStore() }));
