export type * from './embedder';
export type * from './vector-index';
export type * from './clusterer';
export type * from './ranker';
export type * from './object-store';
export { EVENT_TYPES } from './ranker';
