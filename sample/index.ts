export { SUBJECTS, STYLES, NAMED_USERS, DEFAULT_SEED, DEFAULT_PER_PAIR, IMAGE_SIZE, imageIdFor, imageKeyFor } from './constants';
export type { Subject, Style, NamedUser } from './constants';
export { generateSampleLibrary } from './generate';
export type { GenerateOptions, GenerateResult, ManifestEntry } from './generate';
export { simulateInteractions, EPOCH_SECONDS, INTERACTIONS_HEADER } from './interactions';
export type { SimulatedUser, Interaction, UserKind } from './interactions';
export { STYLE_WORDS } from './captions';
