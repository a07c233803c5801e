// First: React reads NODE_ENV when it loads.
import './react-production-mode.js';
export { count, duration, fixed } from './format.js';
export { createPlainReporter, type PlainReporterOptions } from './plain-reporter.js';
export { createReporter, type Reporter, type ReporterOptions } from './reporter.js';
export { initialDashboardState, reduceDashboard, type DashboardState } from './dashboard-state.js';
