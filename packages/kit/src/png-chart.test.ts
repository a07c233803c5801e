import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChartSvg, writeChartPng } from './png-chart.js';

const spec = {
  data: {
    values: [
      { x: 1, y: 2 },
      { x: 2, y: 4 },
    ],
  },
  mark: 'line',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
} as const;

describe('charts', () => {
  it('renders a Vega-Lite spec to SVG with its axis titles', async () => {
    const svg = await renderChartSvg({ ...spec, width: 100, height: 80 });
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('>x</text>');
  });

  it('writes a PNG of the requested scale', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'chart-')), 'c.png');
    await writeChartPng({ ...spec, width: 100, height: 80 }, path, 2);
    const png = readFileSync(path);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(200); // 100 px plot + axes, doubled
  });
});
