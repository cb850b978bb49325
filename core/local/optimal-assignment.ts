/**
 * Minimum-cost assignment (the Hungarian algorithm, shortest augmenting paths with potentials), O(rows^2 * cols).
 * Used to keep k-means cluster ids stable across retraining; k <= 500 takes well under a second.
 */
import { ValidationError } from '../errors';

/**
 * `cost` is row-major rows x cols with rows <= cols. Returns, for each row, the column it gets; every row gets a
 * different column and the total cost is minimal.
 */
export function solveAssignment(cost: Float64Array, rows: number, cols: number): Int32Array {
  if (rows > cols) throw new ValidationError(`assignment needs rows <= cols, got ${rows} x ${cols}`, { field: 'cost' });
  if (cost.length !== rows * cols) throw new ValidationError(`cost has ${cost.length} entries, expected ${rows} x ${cols}`, { field: 'cost' });
  for (const c of cost) if (!Number.isFinite(c)) throw new ValidationError('assignment costs must be finite', { field: 'cost' });

  // 1-based arrays as in the classic formulation: column 0 is the virtual start of each augmenting path.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const rowOfCol = new Int32Array(cols + 1);
  const way = new Int32Array(cols + 1);
  const minv = new Float64Array(cols + 1);
  const used = new Uint8Array(cols + 1);

  for (let row = 1; row <= rows; row++) {
    rowOfCol[0] = row;
    let col0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[col0] = 1;
      const row0 = rowOfCol[col0] as number;
      let delta = Infinity;
      let col1 = 0;
      for (let col = 1; col <= cols; col++) {
        if (used[col]) continue;
        const reduced = (cost[(row0 - 1) * cols + (col - 1)] as number) - (u[row0] as number) - (v[col] as number);
        if (reduced < (minv[col] as number)) {
          minv[col] = reduced;
          way[col] = col0;
        }
        if ((minv[col] as number) < delta) {
          delta = minv[col] as number;
          col1 = col;
        }
      }
      for (let col = 0; col <= cols; col++) {
        if (used[col]) {
          u[rowOfCol[col] as number] = (u[rowOfCol[col] as number] as number) + delta;
          v[col] = (v[col] as number) - delta;
        } else {
          minv[col] = (minv[col] as number) - delta;
        }
      }
      col0 = col1;
    } while (rowOfCol[col0] !== 0);
    do {
      const col1 = way[col0] as number;
      rowOfCol[col0] = rowOfCol[col1] as number;
      col0 = col1;
    } while (col0 !== 0);
  }

  const colOfRow = new Int32Array(rows);
  for (let col = 1; col <= cols; col++) {
    const row = rowOfCol[col] as number;
    if (row > 0) colOfRow[row - 1] = col - 1;
  }
  return colOfRow;
}
