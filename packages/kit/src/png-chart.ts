import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '@mtl/core';

export type ChartSpec = TopLevelSpec;

/** Renders a Vega-Lite spec to SVG text (no browser, no canvas). */
export async function renderChartSvg(spec: ChartSpec): Promise<string> {
  // Loaded on first use: the charting stack is large and most CLI paths never draw.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a Vega-Lite spec to a PNG file, written atomically. */
export async function writeChartPng(spec: ChartSpec, path: string, scale = 2): Promise<void> {
  const svg = await renderChartSvg({ background: 'white', ...spec });
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  writeFileAtomic(path, png);
}
