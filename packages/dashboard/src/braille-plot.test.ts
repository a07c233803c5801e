import { describe, expect, it } from 'vitest';
import { braillePlot } from './braille-plot.js';

const text = (rows: ReturnType<typeof braillePlot>['rows']) => rows.map((runs) => runs.map((r) => r.text).join(''));

describe('braillePlot', () => {
  it('draws a falling line from the top left to the bottom right', () => {
    const plot = braillePlot([[1, 0]], 2, 1);
    expect(plot).toMatchObject({ min: 0, max: 1 });
    // Dots (0,0) (1,1) (2,2) (3,3): left cell dots 1+5, right cell dots 3+8.
    expect(text(plot.rows)).toEqual([String.fromCharCode(0x2800 + 0x01 + 0x10, 0x2800 + 0x04 + 0x80)]);
  });

  it('marks which series drew each cell', () => {
    const plot = braillePlot(
      [
        [1, 1],
        [0, 0],
      ],
      3,
      2,
    );
    expect(plot.rows[0]!.map((r) => r.owners)).toEqual([1]);
    expect(plot.rows[1]!.map((r) => r.owners)).toEqual([2]);
  });

  it('leaves gaps for missing values and is blank without data', () => {
    expect(text(braillePlot([[null, null]], 4, 2).rows)).toEqual(['    ', '    ']);
    expect(Number.isNaN(braillePlot([[]], 4, 2).min)).toBe(true);
  });

  it('keeps room for the planned epochs', () => {
    const plot = braillePlot([[1, 0]], 10, 1, 20);
    expect(text(plot.rows)[0]!.trimEnd().length).toBe(1);
  });
});
