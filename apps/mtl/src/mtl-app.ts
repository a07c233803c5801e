import { buildMultiHeadModel, type DenseSpec, takeRows, UserError } from '@mtl/core';
import { type ExperimentApp, type ExperimentContext, trainCommand } from '@mtl/kit';
import { Option } from '@commander-js/extra-typings';
import { planColumns } from './column-plan.js';
import { buildFeatures, type FeatureRuntime } from './feature-builder.js';
import type { FeatureRecipe } from './feature-recipe.js';
import { fileDigest } from './file-digest.js';
import { describeSkipped } from './skipped-rows.js';
import { parseMoleculeRecipe } from './molecule-features.js';
import { applyStandardisation, fitStandardisation } from './standardisation.js';
import { readColumns } from './table-columns.js';
import { scanTable } from './table-scan.js';
import { hiddenLayers, nameList, workerCount } from './mtl-flags.js';

export const DEFAULT_CACHE = '.cache/mtl';

/** `mtl train`: the kit's common flags, the table's columns, the molecule recipe, the network. */
export function mtlTrainCommand() {
  return trainCommand({
    name: 'train',
    description: 'train one masked multi-task network on a CSV whose label columns have blanks (numeric, text or SMILES features)',
    // Real missing labels: nothing is dropped on purpose unless asked.
    defaults: { epochs: 60, missingRate: 0, batchSize: 128, learningRate: 0.001, bestEpoch: 'auc', patience: 15, rowNoun: 'rows' },
  })
    .requiredOption('--data <path>', 'CSV file: a header row, label columns (0/1, blank = missing) and feature columns')
    .option('--tasks <columns>', 'label columns, comma-separated (default: every column whose values are all 0/1, true/false or yes/no)', nameList('--tasks'))
    .option('--numeric <columns>', 'numeric feature columns (default: every other numeric column, unless --text or --smiles is given)', nameList('--numeric'))
    .option('--text <column>', 'a text column, embedded with the Universal Sentence Encoder (cached)')
    .option('--smiles <column>', 'a SMILES column, featurised with RDKit (cached)')
    .option('--id <column>', 'a column that names each row (kept out of the features; predict writes it)')
    .option(
      '--fingerprints <kinds>',
      'molecular features for --smiles: morgan, morgan-counts, maccs, atom-pair, torsion, rdkit, descriptors, fragments, vsa (comma-separated)',
      'morgan',
    )
    .option('--fp-radius <r>', 'Morgan radius (default 2: ECFP4)')
    .option('--fp-bits <n>', 'bits of hashed fingerprints (default 2048)')
    .option('--hidden <units>', 'hidden layer sizes of the shared trunk, comma-separated', hiddenLayers('--hidden'), [512])
    .option('--dropout <rate>', 'dropout after each hidden layer, in [0, 1)', dropoutRate, 0.25)
    .option('--clip <sd>', 'clip standardised features (numeric columns, descriptors) to ± this many sd; 0: off', clipLimit, 0)
    .option('--cache <dir>', 'cache of text vectors and molecule features', DEFAULT_CACHE)
    .addOption(new Option('--model-dir <dir>', 'USE-lite files for --text; default: the copy in universal-sentence-encoder-node'))
    .addOption(new Option('--workers <n>', 'embedding worker threads for --text (default: one per core; 0 = main thread)').argParser(workerCount('--workers')));
}

export type MtlTrainOptions = ReturnType<ReturnType<typeof mtlTrainCommand>['opts']>;

function dropoutRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === '' || !(rate >= 0 && rate < 1)) throw new UserError(`--dropout ${value}: expected a number in [0, 1), e.g. 0.25.`);
  return rate;
}

function clipLimit(value: string): number {
  const limit = Number(value);
  if (value.trim() === '' || !(limit >= 0 && Number.isFinite(limit)))
    throw new UserError(`--clip ${value}: expected a number of standard deviations, e.g. 5, or 0 for none.`);
  return limit;
}

/** The runtime every feature build of a run shares. */
export function featureRuntime(
  options: { cache: string; modelDir?: string | undefined; workers?: number | undefined },
  context: Pick<ExperimentContext, 'onEvent' | 'control' | 'commandLine'>,
): FeatureRuntime {
  return {
    cacheDir: options.cache,
    modelDir: options.modelDir,
    workers: options.workers,
    onEvent: context.onEvent,
    shouldStop: () => context.control.stopRequested,
    commandLine: context.commandLine,
  };
}

/** Any CSV with missing labels on the kit: columns in, a masked multi-task network out. */
export const mtlApp: ExperimentApp<MtlTrainOptions> = {
  name: 'mtl',
  async load(options, context) {
    const path = options.data;
    context.onEvent({ type: 'notice', level: 'info', message: `reading ${path}` });
    const scan = await scanTable({ path, onEvent: context.onEvent });
    const plan = planColumns(scan, options);
    for (const line of plan.inferred) context.onEvent({ type: 'notice', level: 'info', message: `inferred ${line}` });
    for (const { name, why } of plan.ignored) context.onEvent({ type: 'notice', level: 'info', message: `column "${name}" not used: ${why}` });
    const molecules =
      plan.smiles === null
        ? null
        : { column: plan.smiles, recipe: parseMoleculeRecipe({ fingerprints: options.fingerprints, fpRadius: options.fpRadius, fpBits: options.fpBits }) };
    const columns = await readColumns({
      path,
      flag: '--data',
      tasks: plan.tasks,
      numeric: plan.numeric,
      text: plan.text,
      smiles: plan.smiles,
      id: plan.id,
      purpose: 'the columns chosen',
      onEvent: context.onEvent,
    });
    const features = await buildFeatures(columns, { numeric: plan.numeric, text: plan.text, smiles: molecules }, featureRuntime(options, context));
    for (const message of describeSkipped(path, features.skipped)) context.onEvent({ type: 'notice', level: 'warning', message });
    const keep = Int32Array.from(Array.from(features.valid.keys()).filter((r) => features.valid[r] === 1));
    if (keep.length === 0) throw new UserError(`${path}: no row has usable features (${describeSkipped(path, features.skipped).join(' ')}).`);
    const raw = takeRows(features.x, keep);
    const { recipe } = features;
    return {
      x: raw,
      y: takeRows(columns.labels, keep),
      tasks: plan.tasks,
      details: {
        data: path,
        features: describeRecipe(recipe),
        ...(keep.length < columns.rows ? { 'rows skipped': columns.rows - keep.length } : {}),
      },
      fingerprint: {
        sha256: await fileDigest(path),
        plan: { ...plan, ignored: undefined, inferred: undefined },
        recipe: { ...recipe, numeric: recipe.numeric },
      },
      fit: (trainRows) => {
        const standardisation = fitStandardisation(raw, trainRows, recipe.standardised, options.clip);
        return { x: applyStandardisation(raw, standardisation), recipe: { standardisation } };
      },
      facts: { rows: { read: columns.rows, used: keep.length }, skipped: features.skipped, ...features.facts },
      recipe: { features: recipe, idColumn: plan.id, tasks: plan.tasks },
    };
  },
  buildModel: ({ inputSize, heads, seed, options }) =>
    buildMultiHeadModel({
      inputSize,
      trunk: options.hidden.map((units): DenseSpec => ({ units, activation: 'relu', dropout: options.dropout })),
      // Layer names must be identifiers; a column name may be anything ("NR-AR"). Heads keep their order, and the task names are saved with the model.
      heads: heads.map((name, i) => ({ name: `t${i}_${name.replace(/[^A-Za-z0-9_]/g, '_')}` })),
      seed,
    }),
  settings: (options) => ({
    hidden: options.hidden,
    dropout: options.dropout,
    ...(options.clip > 0 ? { clip: options.clip } : {}),
    fingerprints: options.fingerprints,
    fpRadius: options.fpRadius ?? null,
    fpBits: options.fpBits ?? null,
  }),
};

function describeRecipe(recipe: FeatureRecipe): string {
  const parts = [
    ...(recipe.numeric.length > 0 ? [`${recipe.numeric.length} numeric`] : []),
    ...(recipe.text ? [`text "${recipe.text.column}" (USE-lite, 512)`] : []),
    ...(recipe.smiles ? [`SMILES "${recipe.smiles.column}" (${recipe.smiles.recipe.parts.map((p) => p.kind).join('+')})`] : []),
  ];
  return `${parts.join(', ')}: ${recipe.width} inputs`;
}
