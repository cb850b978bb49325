import type { Subject } from '../constants';
import { drawBird } from './bird';
import { drawCar } from './car';
import { drawCat } from './cat';
import { drawDog } from './dog';
import { drawFish } from './fish';
import { drawFlower } from './flower';
import { drawHorse } from './horse';
import { drawTree } from './tree';
import type { SubjectDrawer } from './types';

export const SUBJECT_DRAWERS: Readonly<Record<Subject, SubjectDrawer>> = {
  cat: drawCat,
  dog: drawDog,
  bird: drawBird,
  fish: drawFish,
  horse: drawHorse,
  flower: drawFlower,
  tree: drawTree,
  car: drawCar,
};
