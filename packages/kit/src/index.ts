// Running a command: exit codes, signals, the reporter.
export { EXIT, ExitError, runCli, stopExitCode } from './cli-runner.js';
export { handleStopSignals } from './stop-signals.js';
export { openRunSession } from './run-session.js';
export type { RunSession } from './run-session.js';

// Flags: the common train command and the parsers every app uses.
export { parseCommand, trainCommand } from './train-command.js';
export type { CommonOptions, TrainDefaults } from './train-command.js';
export { checkMissingRates, foldCount, missingRate, missingRates, nonNegativeInteger, positiveInteger, positiveNumber, rateList } from './flag-values.js';

// An experiment: what an app supplies, and the run the kit does with it.
export { runExperiment } from './run-experiment.js';
export type { RunContext } from './run-experiment.js';
export { runTrainCommand, trainCli } from './train-cli.js';
export type { ExperimentApp, ExperimentContext, ExperimentData } from './experiment.js';
export { applySplit, defaultSplit, labelPatterns, SPLIT_FRACTIONS } from './experiment-splits.js';
export type { ExperimentSplits } from './experiment-splits.js';
export { positiveWeights } from './class-balance.js';
export { trainingOptions } from './training-settings.js';
export { runSweep, SWEEP_VARIANTS } from './sweep.js';
export { CV_METRICS, CV_SCHEMA, CV_VERSION, foldOf, meanSd, runCrossValidation } from './cross-validation.js';
export type { CvFoldResult, CvMetric, CvResults, CvSummaryRow, MeanSd } from './cross-validation.js';
export { readCv, readSweep } from './sweep-file.js';

// Outputs: the output directory, results.json, tables and charts.
export { prepareOutputDir } from './output-dir.js';
export { inputPath } from './input-path.js';
export { RESULTS_SCHEMA, RESULTS_VERSION, SWEEP_SCHEMA, SWEEP_VERSION } from './results-schema.js';
export type { CommonSettings, ExperimentResults, SweepPoint, SweepResults } from './results-schema.js';
export { cvTable, meanOverTasks, sweepTable, taskTable, variantTable } from './result-tables.js';
export { renderChartSvg, writeChartPng } from './png-chart.js';
export type { ChartSpec } from './png-chart.js';
export { writeComparisonPng, writeCvPng, writeLearningCurvesPng, writeSweepPng, writeTaskMetricsPng } from './standard-charts.js';

// Reading data: CSV records with clear errors.
export { csvRecords } from './csv-records.js';
export type { CsvRecord, CsvRecordsOptions } from './csv-records.js';
