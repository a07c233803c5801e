// What other packages (the bench, the end-to-end tests) may use of the toy app.
export { generateToyData, TOY_RULES, TOY_TASKS } from './toy-data.js';
export type { ToyData } from './toy-data.js';
export { buildToyModel, HOLDOUT_ROWS, prepareToySplits, toyData, toySplit } from './toy-experiment.js';
export { DEFAULT_EPOCHS, toyApp, toyCommand } from './toy-app.js';
export type { ToyOptions } from './toy-app.js';
