// What other packages (the bench, the end-to-end tests) may use of the mtl app.
export { DEFAULT_CACHE, mtlApp, mtlTrainCommand } from './mtl-app.js';
export type { MtlTrainOptions } from './mtl-app.js';
export { featurizeMolecules, parseMoleculeRecipe, DEFAULT_MOLECULE_RECIPE, MOLECULE_PART_KINDS } from './molecule-features.js';
export type { MoleculeFeatures, MoleculeRecipe } from './molecule-features.js';
export { loadRDKit } from './rdkit-module.js';
export { FeatureCache, featureCacheKey } from './feature-cache.js';
export { parseLabel, isMissingCell, MISSING_TOKENS } from './label-values.js';
