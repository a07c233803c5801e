import type { tf } from '@mtl/core';
import { type ChartSpec, writeChartPng } from '@mtl/kit';
import { predictGrid } from './decision-grid.js';
import { TOY_RULES, TOY_TASKS } from './toy-data.js';

const GRID = 80;

/** Each head's predicted probability over [0,1]^2, with the true boundary drawn as a line. */
export async function writeDecisionRegionsPng(model: tf.LayersModel, path: string): Promise<void> {
  const { points, probs } = predictGrid(model, GRID);
  const rows: Record<string, number | string>[] = [];
  for (let i = 0; i < points.rows; i++) {
    for (const [h, task] of TOY_TASKS.entries()) {
      rows.push({ kind: 'cell', task: panelTitle(task), x0: points.data[2 * i]!, x1: points.data[2 * i + 1]!, p: probs.data[i * TOY_TASKS.length + h]! });
    }
  }
  // Facets need one data source, so the true boundaries ride along as rows of their own kind.
  rows.push(
    { kind: 'boundary', task: panelTitle('y0'), x0: 0, x1: 0.5, x0b: 1, x1b: 0.5 },
    { kind: 'boundary', task: panelTitle('y1'), x0: 0.5, x1: 0, x0b: 0.5, x1b: 1 },
    { kind: 'boundary', task: panelTitle('y2'), x0: 0, x1: 1, x0b: 1, x1b: 0 },
  );
  // Cells overlap slightly so anti-aliasing leaves no seams between them.
  const half = 0.52 / GRID;
  const spec = {
    title: 'Decision regions on [0,1]² (colour: predicted P(label = 1); dashed: true boundary)',
    data: { values: rows },
    facet: { field: 'task', type: 'nominal', title: null },
    spec: {
      width: 260,
      height: 260,
      layer: [
        {
          mark: { type: 'rect' },
          transform: [
            { filter: "datum.kind === 'cell'" },
            { calculate: `datum.x0 - ${half}`, as: 'xa' },
            { calculate: `datum.x0 + ${half}`, as: 'xb' },
            { calculate: `datum.x1 - ${half}`, as: 'ya' },
            { calculate: `datum.x1 + ${half}`, as: 'yb' },
          ],
          encoding: {
            x: { field: 'xa', type: 'quantitative', scale: { domain: [0, 1] }, title: 'x0' },
            x2: { field: 'xb' },
            y: { field: 'ya', type: 'quantitative', scale: { domain: [0, 1] }, title: 'x1' },
            y2: { field: 'yb' },
            color: { field: 'p', type: 'quantitative', scale: { domain: [0, 1], scheme: 'blueorange' }, title: 'P(1)' },
          },
        },
        {
          mark: { type: 'rule', color: 'black', strokeWidth: 2, strokeDash: [6, 3] },
          transform: [{ filter: "datum.kind === 'boundary'" }],
          encoding: { x: { field: 'x0', type: 'quantitative' }, y: { field: 'x1', type: 'quantitative' }, x2: { field: 'x0b' }, y2: { field: 'x1b' } },
        },
      ],
    },
  };
  await writeChartPng(spec as ChartSpec, path);
}

function panelTitle(task: (typeof TOY_TASKS)[number]): string {
  return `${task}: ${TOY_RULES[task].rule}`;
}
