export { count, duration, fixed } from './format.js';
export { createPlainReporter, type PlainReporterOptions } from './plain-reporter.js';
