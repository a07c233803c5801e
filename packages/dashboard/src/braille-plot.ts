/** One run of characters drawn by the same set of series (bit i = series i; 0 = empty). */
export interface PlotRun {
  text: string;
  owners: number;
}

export interface BraillePlot {
  rows: PlotRun[][];
  min: number;
  max: number;
}

// Dot bit of the braille cell for (column 0-1, row 0-3), Unicode order.
const DOT = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

/**
 * Plots series of values (null = no value) as connected lines on a
 * width x height grid of braille cells (2 x 4 dots each). The x axis spans
 * `xSpan` points (at least the longest series), the y axis the range of all
 * finite values, so the picture rescales as the series grow.
 */
export function braillePlot(series: readonly (readonly (number | null)[])[], width: number, height: number, xSpan = 0): BraillePlot {
  const w = Math.max(1, Math.floor(width));
  const h = Math.max(1, Math.floor(height));
  const dots = new Uint8Array(w * h);
  const owners = new Uint8Array(w * h);
  let min = Infinity;
  let max = -Infinity;
  let longest = 0;
  for (const values of series) {
    longest = Math.max(longest, values.length);
    for (const v of values) {
      if (v !== null && Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  if (min === Infinity) return { rows: emptyRows(w, h), min: NaN, max: NaN };
  if (max - min < 1e-12) {
    const pad = Math.abs(max) * 0.05 || 0.5;
    min -= pad;
    max += pad;
  }
  const span = Math.max(longest, xSpan);
  const dotsWide = w * 2;
  const dotsHigh = h * 4;
  const toX = (i: number) => (span <= 1 ? 0 : Math.round((i * (dotsWide - 1)) / (span - 1)));
  const toY = (v: number) => Math.round(((max - v) / (max - min)) * (dotsHigh - 1));
  const set = (x: number, y: number, bit: number) => {
    const cell = Math.floor(y / 4) * w + Math.floor(x / 2);
    dots[cell]! |= DOT[y % 4]![x % 2]!;
    owners[cell]! |= bit;
  };
  series.forEach((values, s) => {
    const bit = 1 << s;
    let prev: [number, number] | null = null;
    values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        prev = null;
        return;
      }
      const point: [number, number] = [toX(i), toY(v)];
      if (prev) line(prev, point, (x, y) => set(x, y, bit));
      else set(point[0], point[1], bit);
      prev = point;
    });
  });
  const rows: PlotRun[][] = [];
  for (let r = 0; r < h; r++) {
    const runs: PlotRun[] = [];
    for (let c = 0; c < w; c++) {
      const cell = r * w + c;
      const char = dots[cell] === 0 ? ' ' : String.fromCharCode(0x2800 + dots[cell]!);
      const last = runs.at(-1);
      if (last && last.owners === owners[cell]) last.text += char;
      else runs.push({ text: char, owners: owners[cell]! });
    }
    rows.push(runs);
  }
  return { rows, min, max };
}

function line(from: [number, number], to: [number, number], plot: (x: number, y: number) => void): void {
  const steps = Math.max(Math.abs(to[0] - from[0]), Math.abs(to[1] - from[1]));
  for (let k = 1; k <= steps; k++) {
    plot(Math.round(from[0] + ((to[0] - from[0]) * k) / steps), Math.round(from[1] + ((to[1] - from[1]) * k) / steps));
  }
  if (steps === 0) plot(to[0], to[1]);
}

function emptyRows(w: number, h: number): PlotRun[][] {
  return Array.from({ length: h }, () => [{ text: ' '.repeat(w), owners: 0 }]);
}
