/** A dense row-major matrix of float32 values: the in-memory form of features and labels. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Label value meaning "nobody gave this label". */
export const MISSING = -1;

export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const values = data ?? new Float32Array(rows * cols);
  if (values.length !== rows * cols) {
    throw new Error(`matrix data has ${values.length} values, expected ${rows} x ${cols} = ${rows * cols}`);
  }
  return { rows, cols, data: values };
}

export function matrixFromRows(rows: ReadonlyArray<ArrayLike<number>>, cols?: number): Matrix {
  const width = cols ?? rows[0]?.length ?? 0;
  const out = createMatrix(rows.length, width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new Error(`row ${r} has ${row.length} values, expected ${width}`);
    out.data.set(Array.from(row), r * width);
  });
  return out;
}

/** The rows at `indices`, in that order. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = createMatrix(indices.length, m.cols);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]! * m.cols;
    out.data.set(m.data.subarray(src, src + m.cols), i * m.cols);
  }
  return out;
}

/** One column as a new array. */
export function column(m: Matrix, col: number): Float32Array {
  const out = new Float32Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.data[r * m.cols + col]!;
  return out;
}

/** Number of positive labels (>= 0.5, not missing) in each column. */
export function positiveCounts(labels: Matrix): number[] {
  const counts = new Array<number>(labels.cols).fill(0);
  for (let i = 0; i < labels.data.length; i++) {
    const v = labels.data[i]!;
    if (v !== MISSING && v >= 0.5) counts[i % labels.cols]! += 1;
  }
  return counts;
}

/** Number of labelled (not missing) entries in each column. */
export function labelledCounts(labels: Matrix): number[] {
  const counts = new Array<number>(labels.cols).fill(0);
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] !== MISSING) counts[i % labels.cols]! += 1;
  }
  return counts;
}
