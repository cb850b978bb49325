import type { Random } from '../core/random';
import type { Subject } from './constants';

/** Where the subject is: sets the backdrop colours every style starts from, and a caption phrase. */
export interface Scene {
  readonly id: string;
  /** "at sunset", "in a meadow". */
  readonly phrase: string;
  readonly skyTop: string;
  readonly skyBottom: string;
  readonly ground: string;
}

const LAND: readonly Scene[] = [
  { id: 'meadow', phrase: 'in a meadow', skyTop: '#7fb8ea', skyBottom: '#d4eaf8', ground: '#6aa84f' },
  { id: 'sunset', phrase: 'at sunset', skyTop: '#6a3a6a', skyBottom: '#f4a45a', ground: '#5a4a3a' },
  { id: 'beach', phrase: 'on a beach', skyTop: '#6ab8f0', skyBottom: '#e0f4ff', ground: '#e8d4a0' },
  { id: 'snow', phrase: 'in the snow', skyTop: '#a8b8cc', skyBottom: '#e8eef4', ground: '#f2f5f8' },
  { id: 'street', phrase: 'on a city street', skyTop: '#8a9aac', skyBottom: '#c8d0d8', ground: '#6e6e74' },
  { id: 'night', phrase: 'at night', skyTop: '#0c1430', skyBottom: '#2a3a6a', ground: '#1c2a22' },
  { id: 'forest', phrase: 'in a forest', skyTop: '#6a9a6a', skyBottom: '#b8d8a8', ground: '#3a5a2a' },
  { id: 'garden', phrase: 'in a garden', skyTop: '#9ad0f0', skyBottom: '#e8f4e0', ground: '#7ab85a' },
];

const WATER: readonly Scene[] = [
  { id: 'underwater', phrase: 'underwater', skyTop: '#0e4a80', skyBottom: '#4aa8d8', ground: '#d8c490' },
  { id: 'aquarium', phrase: 'in an aquarium', skyTop: '#2a7aa8', skyBottom: '#8ad0e8', ground: '#b8a878' },
  { id: 'reef', phrase: 'near a coral reef', skyTop: '#0a5a8a', skyBottom: '#3ac0c8', ground: '#e89a7a' },
];

const SKY: Scene = { id: 'sky', phrase: 'in the sky', skyTop: '#4a98e0', skyBottom: '#c8e4f8', ground: '#a8d0f0' };
const ROAD: Scene = { id: 'road', phrase: 'on a country road', skyTop: '#7ab0e0', skyBottom: '#dceaf4', ground: '#5a5a5e' };

export function pickScene(subject: Subject, rng: Random): Scene {
  if (subject === 'fish') return rng.pick(WATER);
  if (subject === 'bird' && rng.next() < 0.3) return SKY;
  if (subject === 'car' && rng.next() < 0.3) return ROAD;
  return rng.pick(LAND);
}
