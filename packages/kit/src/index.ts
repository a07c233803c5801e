export { EXIT, ExitError, runCli, stopExitCode } from './cli-runner.js';
export { missingRate, missingRates, nonNegativeInteger, positiveInteger, positiveNumber } from './flag-values.js';
export { prepareOutputDir } from './output-dir.js';
export { renderChartSvg, writeChartPng } from './png-chart.js';
export type { ChartSpec } from './png-chart.js';
