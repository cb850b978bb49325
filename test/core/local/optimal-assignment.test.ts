import { describe, it, expect } from 'vitest';
import { solveAssignment } from '../../../core/local/optimal-assignment';
import { createRandom } from '../../../core/random';

function totalCost(cost: Float64Array, cols: number, assignment: ArrayLike<number>): number {
  let sum = 0;
  for (let row = 0; row < assignment.length; row++) sum += cost[row * cols + (assignment[row] as number)] as number;
  return sum;
}

/** Every injective row -> column map, for checking small cases exhaustively. */
function bruteForceMin(cost: Float64Array, rows: number, cols: number): number {
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const pick: number[] = [];
  const go = (row: number): void => {
    if (row === rows) {
      best = Math.min(best, totalCost(cost, cols, pick));
      return;
    }
    for (let col = 0; col < cols; col++) {
      if (used[col]) continue;
      used[col] = true;
      pick[row] = col;
      go(row + 1);
      used[col] = false;
    }
  };
  go(0);
  return best;
}

describe('solveAssignment', () => {
  it('finds the minimum total cost on random square and rectangular matrices', () => {
    const random = createRandom(5);
    for (const [rows, cols] of [[6, 6], [5, 7], [1, 4], [7, 7]] as const) {
      for (let trial = 0; trial < 5; trial++) {
        const cost = Float64Array.from({ length: rows * cols }, () => Math.round(random.range(0, 20)));
        const assignment = solveAssignment(cost, rows, cols);
        expect(new Set(assignment).size).toBe(rows);
        expect(totalCost(cost, cols, assignment)).toBeCloseTo(bruteForceMin(cost, rows, cols), 9);
      }
    }
  });

  it('recovers a hidden permutation from a cost that is zero only on it', () => {
    const permutation = createRandom(9).shuffle([...Array(50).keys()]);
    const cost = new Float64Array(50 * 50).fill(1);
    permutation.forEach((col, row) => (cost[row * 50 + col] = 0));
    expect([...solveAssignment(cost, 50, 50)]).toEqual(permutation);
  });

  it('solves a 500 x 500 problem', () => {
    const random = createRandom(1);
    const cost = Float64Array.from({ length: 500 * 500 }, () => random.next());
    const assignment = solveAssignment(cost, 500, 500);
    expect(new Set(assignment).size).toBe(500);
  });

  it('rejects more rows than columns and non-finite costs', () => {
    expect(() => solveAssignment(new Float64Array(6), 3, 2)).toThrow(/rows <= cols/);
    expect(() => solveAssignment(Float64Array.from([0, Number.NaN, 1, 2]), 2, 2)).toThrow(/finite/);
  });
});
