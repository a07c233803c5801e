import { createMatrix, type Matrix, type RunEventListener, UserError } from '@mtl/core';
import { type FeatureCache, featureCacheKey } from './feature-cache.js';
import { FRAGMENT_PATTERNS } from './fragment-patterns.js';
import { readRDKitJson } from './rdkit-json.js';
import { loadRDKit, type RDKit, type RDKitMol } from './rdkit-module.js';
import { VSA_DESCRIPTOR_NAMES, writeVsaDescriptors } from './vsa-descriptors.js';
import { CRIPPEN_TYPES } from './vsa-tables.js';

// ---------------------------------------------------------------------------
// Recipes: which features a SMILES column becomes.

/**
 * One block of columns made from each molecule. Bits are 0/1; Morgan counts
 * are log1p(count); descriptors are RDKit's raw values (standardising them
 * with training statistics is the caller's job: featureNames say which
 * columns are descriptors).
 */
export type MoleculePart =
  /** RDKit's Morgan (ECFP-like) bits: radius 2 is ECFP4. */
  | { kind: 'morgan'; radius: number; bits: number }
  /**
   * Morgan environments counted, not just present. RDKit's WebAssembly build
   * only returns bit vectors, so these are computed here from the molecule
   * RDKit perceived (atoms, bonds, aromaticity, rings): the same algorithm and
   * atom invariants, but this file's hashing, so the columns are not RDKit's bit numbers.
   */
  | { kind: 'morgan-counts'; radius: number; bits: number }
  /** The 167 MACCS structural keys. */
  | { kind: 'maccs' }
  /** RDKit's hashed atom-pair bits. */
  | { kind: 'atom-pair'; bits: number }
  /** RDKit's hashed topological-torsion bits. */
  | { kind: 'torsion'; bits: number }
  /** RDKit's own path-based ("RDKit") fingerprint bits. */
  | { kind: 'rdkit'; bits: number }
  /** RDKit's descriptors (get_descriptors: weights, logP, TPSA, ring counts, chi and kappa indices...), sorted by name. */
  | { kind: 'descriptors' }
  /** RDKit's 85 functional-group counts (fr_nitro, fr_phenol, fr_halogen...) as log1p(count), from their SMARTS (fragment-patterns.ts). */
  | { kind: 'fragments' }
  /** RDKit's 43 VSA descriptors and 4 EState extremes (SlogP_VSA1..., vsa-descriptors.ts), which the WebAssembly build lacks. */
  | { kind: 'vsa' };

export type MoleculePartKind = MoleculePart['kind'];

export interface MoleculeRecipe {
  readonly parts: readonly MoleculePart[];
}

export const MOLECULE_PART_KINDS: readonly MoleculePartKind[] = [
  'morgan',
  'morgan-counts',
  'maccs',
  'atom-pair',
  'torsion',
  'rdkit',
  'descriptors',
  'fragments',
  'vsa',
];
export const DEFAULT_FP_RADIUS = 2;
export const DEFAULT_FP_BITS = 2048;
export const MAX_FP_RADIUS = 6;
export const MIN_FP_BITS = 8;
export const MAX_FP_BITS = 16384;
export const DEFAULT_MOLECULE_RECIPE: MoleculeRecipe = { parts: [{ kind: 'morgan', radius: DEFAULT_FP_RADIUS, bits: DEFAULT_FP_BITS }] };
/** MACCS keys are numbered 1..166 after an unused bit 0, as in RDKit: 167 columns. */
export const MACCS_KEYS = 167;

/** Part of every cache key: change it whenever the features of the same recipe and RDKit change. */
export const MOLECULE_FEATURES_VERSION = 'molecule-features/1';

export interface MoleculeRecipeFlags {
  /** --fingerprints: comma-separated kinds, e.g. 'morgan,maccs,descriptors'; default 'morgan'. */
  fingerprints?: string;
  /** --fp-radius, for morgan and morgan-counts; undefined when the flag was not given. */
  fpRadius?: number | string;
  /** --fp-bits, for every hashed kind (morgan, morgan-counts, atom-pair, torsion, rdkit); undefined when not given. */
  fpBits?: number | string;
}

const KINDS_HELP = `Valid kinds: ${MOLECULE_PART_KINDS.join(', ')} (comma-separated, e.g. --fingerprints morgan,maccs,descriptors).`;
const RADIUS_KINDS: readonly MoleculePartKind[] = ['morgan', 'morgan-counts'];
const BITS_KINDS: readonly MoleculePartKind[] = ['morgan', 'morgan-counts', 'atom-pair', 'torsion', 'rdkit'];

/** The recipe the flags --fingerprints, --fp-radius and --fp-bits ask for; a UserError naming the flag when they do not make sense. */
export function parseMoleculeRecipe(flags: MoleculeRecipeFlags): MoleculeRecipe {
  const text = flags.fingerprints ?? 'morgan';
  const kinds = text.split(',').map((kind) => kind.trim().toLowerCase());
  if (kinds.some((kind) => kind === '')) throw new UserError(`--fingerprints '${text}': an empty kind. ${KINDS_HELP}`);
  for (const kind of kinds) {
    if (!(MOLECULE_PART_KINDS as readonly string[]).includes(kind)) throw new UserError(`--fingerprints '${text}': unknown kind '${kind}'. ${KINDS_HELP}`);
  }
  const repeated = kinds.find((kind, i) => kinds.indexOf(kind) !== i);
  if (repeated !== undefined) throw new UserError(`--fingerprints '${text}': '${repeated}' is listed twice. Name each kind once.`);

  const radius = wholeNumberFlag('--fp-radius', flags.fpRadius, 0, MAX_FP_RADIUS, 'the Morgan radius in bonds; 2 gives ECFP4') ?? DEFAULT_FP_RADIUS;
  const bits = wholeNumberFlag('--fp-bits', flags.fpBits, MIN_FP_BITS, MAX_FP_BITS, 'the length of each hashed fingerprint') ?? DEFAULT_FP_BITS;
  if (flags.fpRadius !== undefined && !kinds.some((kind) => RADIUS_KINDS.includes(kind as MoleculePartKind))) {
    throw new UserError(
      `--fp-radius ${flags.fpRadius} applies to ${RADIUS_KINDS.join(' and ')}, which --fingerprints '${text}' does not include. Add one of them or drop --fp-radius.`,
    );
  }
  if (flags.fpBits !== undefined && !kinds.some((kind) => BITS_KINDS.includes(kind as MoleculePartKind))) {
    throw new UserError(
      `--fp-bits ${flags.fpBits} applies to ${BITS_KINDS.join(', ')}, none of which --fingerprints '${text}' includes. Add one of them or drop --fp-bits.`,
    );
  }
  const parts = kinds.map((kind): MoleculePart => {
    switch (kind as MoleculePartKind) {
      case 'morgan':
      case 'morgan-counts':
        return { kind: kind as 'morgan' | 'morgan-counts', radius, bits };
      case 'atom-pair':
      case 'torsion':
      case 'rdkit':
        return { kind: kind as 'atom-pair' | 'torsion' | 'rdkit', bits };
      case 'maccs':
      case 'descriptors':
      case 'fragments':
      case 'vsa':
        return { kind: kind as 'maccs' | 'descriptors' | 'fragments' | 'vsa' };
    }
  });
  return { parts };
}

function wholeNumberFlag(flag: string, value: number | string | undefined, min: number, max: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${flag} ${value}: expected a whole number from ${min} to ${max} (${what}).`);
  return n;
}

/** The recipe with every part checked and its keys in one order (cache keys hash it); throws for a part that makes no sense. */
export function normalizeMoleculeRecipe(recipe: MoleculeRecipe): MoleculeRecipe {
  if (recipe.parts.length === 0) throw new UserError(`a molecule recipe without parts makes no features. ${KINDS_HELP}`);
  const parts = recipe.parts.map((part): MoleculePart => {
    const where = `molecule recipe part ${JSON.stringify(part)}`;
    if (!(MOLECULE_PART_KINDS as readonly string[]).includes(part.kind)) throw new UserError(`${where}: unknown kind. ${KINDS_HELP}`);
    const radius = 'radius' in part ? part.radius : undefined;
    const bits = 'bits' in part ? part.bits : undefined;
    if (RADIUS_KINDS.includes(part.kind) && !(Number.isInteger(radius) && radius! >= 0 && radius! <= MAX_FP_RADIUS)) {
      throw new UserError(`${where}: radius must be a whole number from 0 to ${MAX_FP_RADIUS}.`);
    }
    if (BITS_KINDS.includes(part.kind) && !(Number.isInteger(bits) && bits! >= MIN_FP_BITS && bits! <= MAX_FP_BITS)) {
      throw new UserError(`${where}: bits must be a whole number from ${MIN_FP_BITS} to ${MAX_FP_BITS}.`);
    }
    if (part.kind === 'morgan' || part.kind === 'morgan-counts') return { kind: part.kind, radius: part.radius, bits: part.bits };
    if (part.kind === 'atom-pair' || part.kind === 'torsion' || part.kind === 'rdkit') return { kind: part.kind, bits: part.bits };
    return { kind: part.kind };
  });
  const prefixes = parts.map(partPrefix);
  const repeated = prefixes.find((prefix, i) => prefixes.indexOf(prefix) !== i);
  if (repeated !== undefined) throw new UserError(`molecule recipe: two parts would both make the columns ${repeated}:*. Keep one of them.`);
  return { parts };
}

/** The column name prefix of a part: 'morgan2', 'morgan2-counts', 'maccs', 'atom-pair', 'torsion', 'rdkit', 'desc', 'frag'. */
function partPrefix(part: MoleculePart): string {
  switch (part.kind) {
    case 'morgan':
      return `morgan${part.radius}`;
    case 'morgan-counts':
      return `morgan${part.radius}-counts`;
    case 'descriptors':
      return 'desc';
    case 'fragments':
      return 'frag';
    case 'vsa':
      return 'vsa';
    default:
      return part.kind;
  }
}

// ---------------------------------------------------------------------------
// Featurising.

export interface FeaturizeMoleculesOptions {
  /** One SMILES per data row; an empty or unparsable one makes an invalid row. */
  smiles: readonly string[];
  /** Default: Morgan radius 2, 2048 bits. */
  recipe?: MoleculeRecipe;
  /** Receives 'stage' events named 'featurizing': one at the start, one every 250 molecules, one finished. */
  onEvent?: RunEventListener;
  /** Checked between molecules; true ends featurising with FeaturizingStopped. */
  shouldStop?: () => boolean;
  /** The CSV column the SMILES came from, named in messages; default 'smiles'. */
  column?: string;
  /** Where whole feature matrices are kept by content: a second run with the same SMILES and recipe reads them back. */
  cache?: FeatureCache;
}

export interface InvalidMolecules {
  count: number;
  /** 1-based data row numbers (the header is not a data row) of the first invalid molecules, at most 10. */
  rows: number[];
  /** Their SMILES, shortened to 100 characters. */
  examples: string[];
  /** Why each could not be used: RDKit's message ("SMILES Parse Error: unclosed ring for input: 'C1CC'") or 'empty SMILES'. */
  reasons: string[];
}

export interface MoleculeFeatures {
  /** One row per SMILES, in order; the rows of invalid molecules are zeros. */
  x: Matrix;
  width: number;
  /** 1 where the row's molecule was featurised, 0 where it was invalid (skip those rows). */
  valid: Uint8Array;
  invalid: InvalidMolecules;
  /** One per column: 'morgan2:17', 'morgan2-counts:17', 'maccs:42', 'atom-pair:17', 'torsion:17', 'rdkit:17', 'desc:tpsa', 'frag:fr_nitro', 'vsa:SlogP_VSA1'. */
  featureNames: string[];
  /** Descriptor values RDKit gave as NaN or infinite (or not at all), written as 0. */
  nonFinite: { values: number; rows: number; descriptors: string[] };
  rdkitVersion: string;
  /** True when the matrix was read from the cache instead of computed. */
  fromCache: boolean;
  /** Wall time of this call, RDKit loading included. */
  seconds: number;
}

/** A stop request (shouldStop) ended featurising between two molecules; nothing was cached. */
export class FeaturizingStopped extends Error {
  readonly done: number;
  readonly total: number;
  readonly column: string;

  constructor(options: { done: number; total: number; column: string }) {
    super(`featurizing column ${options.column} stopped after ${options.done} of ${options.total} molecules; nothing was cached, the next run starts again`);
    this.name = 'FeaturizingStopped';
    this.done = options.done;
    this.total = options.total;
    this.column = options.column;
  }
}

const PROGRESS_EVERY = 250;
const MAX_NAMED_INVALID = 10;

/**
 * Turns SMILES into a feature matrix with RDKit's WebAssembly build. Every
 * molecule is parsed once, each part of the recipe writes its block of
 * columns, and the molecule is freed (wasm memory is not garbage-collected).
 * With a cache, the whole result is stored under a key of the RDKit version,
 * the recipe and every SMILES, and read back by the next identical call.
 */
export async function featurizeMolecules(options: FeaturizeMoleculesOptions): Promise<MoleculeFeatures> {
  const started = performance.now();
  const column = options.column ?? 'smiles';
  const recipe = normalizeMoleculeRecipe(options.recipe ?? DEFAULT_MOLECULE_RECIPE);
  const rdkit = await loadRDKit();
  const layout = planColumns({ recipe, rdkit });
  const total = options.smiles.length;
  const key = options.cache
    ? featureCacheKey({ producer: MOLECULE_FEATURES_VERSION, settings: { rdkit: rdkit.version, recipe }, inputs: options.smiles })
    : undefined;

  if (options.cache && key) {
    const cached = await options.cache.get(key);
    const restored = cached && restoreFromCache({ cached, layout, total, rdkitVersion: rdkit.version });
    if (restored) {
      const seconds = (performance.now() - started) / 1000;
      options.onEvent?.({
        type: 'stage',
        name: 'featurizing',
        done: total,
        total,
        unit: 'molecules',
        finished: true,
        counters: { cached: total, invalid: restored.invalid.count },
      });
      return { ...restored, fromCache: true, seconds };
    }
  }

  const computed = await computeFeatures({ ...options, column, rdkit, layout, started });
  if (options.cache && key) {
    const info: Record<string, unknown> = {
      featureNames: computed.featureNames,
      invalid: computed.invalid,
      nonFinite: computed.nonFinite,
      rdkitVersion: rdkit.version,
    };
    await options.cache.put(key, { x: computed.x, valid: computed.valid, info });
  }
  return { ...computed, seconds: (performance.now() - started) / 1000 };
}

/** Where each part's columns go, and their names. */
interface ColumnPlan {
  parts: Array<{ part: MoleculePart; offset: number; width: number }>;
  width: number;
  featureNames: string[];
  descriptorNames: string[];
  /** The fragment patterns as RDKit query molecules, when the recipe has fragments. */
  fragmentQueries: readonly RDKitMol[];
  /** The Crippen atom types as query molecules with their contributions, when the recipe has vsa. */
  crippenTypes: ReadonlyArray<{ query: RDKitMol; logP: number; mr: number }>;
}

function planColumns(options: { recipe: MoleculeRecipe; rdkit: RDKit }): ColumnPlan {
  const descriptorNames = options.recipe.parts.some((part) => part.kind === 'descriptors') ? rdkitDescriptorNames(options.rdkit) : [];
  const featureNames: string[] = [];
  const parts = options.recipe.parts.map((part) => {
    const prefix = partPrefix(part);
    const names = partColumnNames(part, descriptorNames).map((name) => `${prefix}:${name}`);
    const planned = { part, offset: featureNames.length, width: names.length };
    featureNames.push(...names);
    return planned;
  });
  const has = (kind: MoleculePartKind) => options.recipe.parts.some((part) => part.kind === kind);
  const fragmentQueries = has('fragments') ? smartsQueries(options.rdkit, FRAGMENT_PATTERNS) : [];
  const crippenTypes = has('vsa')
    ? smartsQueries(options.rdkit, CRIPPEN_TYPES).map((query, i) => ({ query, logP: CRIPPEN_TYPES[i]![2], mr: CRIPPEN_TYPES[i]![3] }))
    : [];
  return { parts, width: featureNames.length, featureNames, descriptorNames, fragmentQueries, crippenTypes };
}

/** A part's column names after its prefix: descriptor or group names, or bit numbers. */
function partColumnNames(part: MoleculePart, descriptorNames: readonly string[]): ReadonlyArray<string | number> {
  switch (part.kind) {
    case 'descriptors':
      return descriptorNames;
    case 'fragments':
      return FRAGMENT_PATTERNS.map(([name]) => name);
    case 'vsa':
      return VSA_DESCRIPTOR_NAMES;
    default:
      return Array.from({ length: part.kind === 'maccs' ? MACCS_KEYS : part.bits }, (_, i) => i);
  }
}

const queryCache = new WeakMap<RDKit['module'], Map<readonly unknown[], RDKitMol[]>>();

/** A table's SMARTS (each row [name, smarts, ...]) parsed once per RDKit module and kept for the process (a few kB of wasm memory). */
function smartsQueries(rdkit: RDKit, table: ReadonlyArray<readonly [string, string, ...unknown[]]>): RDKitMol[] {
  let byTable = queryCache.get(rdkit.module);
  if (!byTable) queryCache.set(rdkit.module, (byTable = new Map<readonly unknown[], RDKitMol[]>()));
  let queries = byTable.get(table);
  if (!queries) {
    queries = table.map(([name, smarts]) => {
      const query = rdkit.module.get_qmol(smarts);
      if (!query || !query.is_valid()) throw new Error(`RDKit could not parse the SMARTS of ${name} (${smarts}): the RDKit module is broken`);
      return query;
    });
    byTable.set(table, queries);
  }
  return queries;
}

/**
 * RDKit's descriptor names, sorted: the column order of every run with this
 * RDKit version. Taken from a molecule every version can describe, so the
 * columns never depend on which molecule happens to come first.
 */
function rdkitDescriptorNames(rdkit: RDKit): string[] {
  const mol = rdkit.module.get_mol('CCO');
  if (!mol) throw new Error('RDKit could not parse ethanol (CCO): the RDKit module is broken');
  try {
    return Object.keys(parseDescriptors(mol.get_descriptors())).sort();
  } finally {
    mol.delete();
  }
}

function restoreFromCache(options: { cached: NonNullable<Awaited<ReturnType<FeatureCache['get']>>>; layout: ColumnPlan; total: number; rdkitVersion: string }) {
  const { cached, layout, total } = options;
  const names = cached.info.featureNames;
  // The key already pins recipe and RDKit; this guards against a file some other producer wrote under the same key.
  if (cached.x.rows !== total || cached.x.cols !== layout.width || !Array.isArray(names) || names.join('\n') !== layout.featureNames.join('\n'))
    return undefined;
  return {
    x: cached.x,
    width: layout.width,
    valid: cached.valid,
    invalid: cached.info.invalid as InvalidMolecules,
    featureNames: layout.featureNames,
    nonFinite: cached.info.nonFinite as MoleculeFeatures['nonFinite'],
    rdkitVersion: options.rdkitVersion,
  };
}

async function computeFeatures(
  options: FeaturizeMoleculesOptions & { column: string; rdkit: RDKit; layout: ColumnPlan; started: number },
): Promise<Omit<MoleculeFeatures, 'seconds'>> {
  const { smiles, rdkit, layout, column } = options;
  const total = smiles.length;
  const x = createMatrix(total, layout.width);
  const valid = new Uint8Array(total);
  const invalid: InvalidMolecules = { count: 0, rows: [], examples: [], reasons: [] };
  const nonFinite = { values: 0, rows: 0, descriptors: new Set<string>() };
  const computeStarted = performance.now();

  const progress = (done: number, finished: boolean) => {
    const seconds = (performance.now() - computeStarted) / 1000;
    options.onEvent?.({
      type: 'stage',
      name: 'featurizing',
      done,
      total,
      unit: 'molecules',
      rate: seconds > 0 ? done / seconds : 0,
      counters: { invalid: invalid.count },
      ...(finished ? { finished: true } : {}),
    });
  };
  progress(0, false);

  for (let row = 0; row < total; row++) {
    if (options.shouldStop?.()) throw new FeaturizingStopped({ done: row, total, column });
    if (row > 0 && row % PROGRESS_EVERY === 0) {
      progress(row, false);
      // Featurising is synchronous wasm work: yield so that signals (and so shouldStop) and a live dashboard get their turn.
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
    }
    const features = x.data.subarray(row * layout.width, (row + 1) * layout.width);
    const outcome = featurizeOne({ smiles: smiles[row]!, rdkit, layout, features });
    if (outcome.ok) {
      valid[row] = 1;
      if (outcome.nonFinite.length > 0) {
        nonFinite.rows++;
        nonFinite.values += outcome.nonFinite.length;
        for (const name of outcome.nonFinite) nonFinite.descriptors.add(name);
      }
    } else {
      features.fill(0);
      invalid.count++;
      if (invalid.rows.length < MAX_NAMED_INVALID) {
        invalid.rows.push(row + 1);
        invalid.examples.push(shorten(smiles[row]!));
        invalid.reasons.push(outcome.reason);
      }
    }
  }
  progress(total, true);
  return {
    x,
    width: layout.width,
    valid,
    invalid,
    featureNames: layout.featureNames,
    nonFinite: { values: nonFinite.values, rows: nonFinite.rows, descriptors: [...nonFinite.descriptors].sort() },
    rdkitVersion: rdkit.version,
    fromCache: false,
  };
}

type Outcome = { ok: true; nonFinite: string[] } | { ok: false; reason: string };

/** One molecule into its row of `features`; the molecule is freed whatever happens. */
function featurizeOne(options: { smiles: string; rdkit: RDKit; layout: ColumnPlan; features: Float32Array }): Outcome {
  const { rdkit, layout, features } = options;
  // RDKit reads whatever follows whitespace as the molecule's name; a CSV cell's stray spaces are not part of the molecule.
  const smiles = options.smiles.trim();
  if (smiles === '') return { ok: false, reason: 'empty SMILES' };
  rdkit.clearMessages();
  let mol: RDKitMol | null = null;
  try {
    mol = rdkit.module.get_mol(smiles);
    if (!mol || !mol.is_valid()) return { ok: false, reason: rdkit.lastMessage() ?? 'RDKit could not parse it' };
    if (mol.get_num_atoms() === 0) return { ok: false, reason: 'no atoms' };
    const nonFinite: string[] = [];
    for (const { part, offset, width } of layout.parts) {
      const block = features.subarray(offset, offset + width);
      try {
        writePart({ mol, part, block, layout, nonFinite });
      } catch (error) {
        // RDKit throws a bare WebAssembly.Exception without a message: say at least which part failed.
        const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
        return { ok: false, reason: `RDKit failed computing ${partPrefix(part)}${detail}` };
      }
    }
    return { ok: true, nonFinite };
  } finally {
    mol?.delete();
  }
}

function writePart(options: { mol: RDKitMol; part: MoleculePart; block: Float32Array; layout: ColumnPlan; nonFinite: string[] }): void {
  const { mol, part, block } = options;
  switch (part.kind) {
    case 'morgan':
      return unpackBits(mol.get_morgan_fp_as_uint8array(JSON.stringify({ radius: part.radius, nBits: part.bits })) as Uint8Array, block);
    case 'morgan-counts':
      return writeMorganCounts({ json: mol.get_json(), radius: part.radius, block });
    case 'maccs':
      return unpackBits(mol.get_maccs_fp_as_uint8array() as Uint8Array, block);
    case 'atom-pair':
      return unpackBits(mol.get_atom_pair_fp_as_uint8array(JSON.stringify({ nBits: part.bits })) as Uint8Array, block);
    case 'torsion':
      return unpackBits(mol.get_topological_torsion_fp_as_uint8array(JSON.stringify({ nBits: part.bits })) as Uint8Array, block);
    case 'rdkit':
      return unpackBits(mol.get_rdkit_fp_as_uint8array(JSON.stringify({ nBits: part.bits })) as Uint8Array, block);
    case 'descriptors':
      return writeDescriptors({ json: mol.get_descriptors(), names: options.layout.descriptorNames, block, nonFinite: options.nonFinite });
    case 'fragments':
      return writeFragmentCounts({ mol, queries: options.layout.fragmentQueries, block });
    case 'vsa':
      return writeVsaDescriptors({ mol, crippenTypes: options.layout.crippenTypes, block });
  }
}

/** log1p of each pattern's unique matches; RDKit answers "{}" for none and a JSON array of matches otherwise. */
function writeFragmentCounts(options: { mol: RDKitMol; queries: readonly RDKitMol[]; block: Float32Array }): void {
  options.queries.forEach((query, i) => {
    const matches = JSON.parse(options.mol.get_substruct_matches(query)) as unknown;
    const count = Array.isArray(matches) ? matches.length : 0;
    options.block[i] = Math.log1p(count);
  });
}

/** RDKit packs bit i into byte i >> 3 at position i & 7 (least significant first); `block.length` bits are read. */
function unpackBits(packed: Uint8Array, block: Float32Array): void {
  for (let byte = 0; byte < packed.length; byte++) {
    const value = packed[byte]!;
    if (value === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      const i = byte * 8 + bit;
      if (i < block.length && value & (1 << bit)) block[i] = 1;
    }
  }
}

function writeDescriptors(options: { json: string; names: readonly string[]; block: Float32Array; nonFinite: string[] }): void {
  const values = parseDescriptors(options.json);
  options.names.forEach((name, i) => {
    const value = values[name];
    if (typeof value === 'number' && Number.isFinite(value)) options.block[i] = value;
    else options.nonFinite.push(name);
  });
}

/**
 * RDKit's descriptor JSON as name -> number. RDKit's JSON writer stops at the
 * first NaN or infinity, leaving the text cut short: then the complete
 * "name":number pairs before the cut are kept and the rest count as missing.
 */
function parseDescriptors(json: string): Record<string, number> {
  try {
    return JSON.parse(json) as Record<string, number>;
  } catch {
    const values: Record<string, number> = {};
    for (const match of json.matchAll(/"([^"]+)":(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?=[,}])/g)) values[match[1]!] = Number(match[2]);
    return values;
  }
}

function shorten(smiles: string): string {
  return smiles.length > 100 ? `${smiles.slice(0, 99)}…` : smiles;
}

// ---------------------------------------------------------------------------
// Morgan counts, computed from RDKit's perceived molecule.

/** A molecule as RDKit perceived it: what Morgan's invariants need. */
interface MoleculeGraph {
  /** Per atom: atomic number, total degree, hydrogens, charge, isotope, ring membership, hashed. */
  atomInvariants: Uint32Array;
  /** Per atom: [bond index, neighbour atom] pairs. */
  neighbours: Array<Array<[number, number]>>;
  /** Per bond: RDKit's bond type number (1, 2, 3; 12 for aromatic). */
  bondTypes: Int32Array;
  bondCount: number;
}

const AROMATIC_BOND = 12;

/** RDKit's perceived molecule (rdkit-json.ts) as Morgan's invariants see it. */
function moleculeGraph(json: string): MoleculeGraph {
  const { atoms, bonds, atomRings } = readRDKitJson(json);
  const inRing = new Uint8Array(atoms.length);
  for (const ring of atomRings) for (const atom of ring) inRing[atom] = 1;

  const neighbours = atoms.map((): Array<[number, number]> => []);
  const bondTypes = new Int32Array(bonds.length);
  bonds.forEach((bond, b) => {
    const [a1, a2] = bond.atoms;
    neighbours[a1]!.push([b, a2]);
    neighbours[a2]!.push([b, a1]);
    bondTypes[b] = bond.aromatic ? AROMATIC_BOND : bond.bo;
  });
  const atomInvariants = Uint32Array.from(atoms, (atom, a) => {
    const components = [atom.z, neighbours[a]!.length + atom.impHs, atom.impHs, atom.chg, atom.isotope];
    // Like RDKit, ring membership is an extra component, not a 0/1 value: a chain atom's vector is one shorter.
    if (inRing[a]) components.push(1);
    return components.reduce(hashCombine, 0);
  });
  return { atomInvariants, neighbours, bondTypes, bondCount: bonds.length };
}

/**
 * Morgan environment identifiers and how often each occurs, unfolded. The
 * algorithm is RDKit's: round 0 counts every atom's invariant; each later
 * round hashes an atom's invariant with its sorted (bond type, neighbour
 * invariant) pairs, and an environment covering exactly the bonds of one
 * already counted (this round or earlier) is dropped, its atom retired.
 */
export function morganEnvironmentCounts(options: { json: string; radius: number }): Map<number, number> {
  const graph = moleculeGraph(options.json);
  const atomCount = graph.atomInvariants.length;
  const words = Math.max(1, Math.ceil(graph.bondCount / 32));
  const counts = new Map<number, number>();
  const count = (id: number) => counts.set(id, (counts.get(id) ?? 0) + 1);

  let current = Uint32Array.from(graph.atomInvariants);
  for (const invariant of current) count(invariant);
  let covered = Array.from({ length: atomCount }, () => new Uint32Array(words));
  const seen = new Set<string>();
  const retired = new Uint8Array(atomCount);

  for (let layer = 0; layer < options.radius; layer++) {
    const next = new Uint32Array(atomCount);
    const nextCovered = covered.map((bits) => Uint32Array.from(bits));
    const round: Array<{ key: string; id: number; atom: number }> = [];
    for (let atom = 0; atom < atomCount; atom++) {
      if (retired[atom]) continue;
      const around = graph.neighbours[atom]!;
      if (around.length === 0) {
        retired[atom] = 1;
        continue;
      }
      const bits = nextCovered[atom]!;
      const pairs: Array<[number, number]> = [];
      for (const [bond, other] of around) {
        bits[bond >>> 5]! |= 1 << (bond & 31);
        const theirs = covered[other]!;
        for (let w = 0; w < words; w++) bits[w]! |= theirs[w]!;
        pairs.push([graph.bondTypes[bond]!, current[other]!]);
      }
      pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      let id = hashCombine(layer, current[atom]!);
      for (const [bondType, invariant] of pairs) id = hashCombine(id, hashCombine(hashCombine(0, bondType), invariant));
      next[atom] = id;
      round.push({ key: bits.join(','), id, atom });
    }
    round.sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : p.id - q.id || p.atom - q.atom));
    for (const { key, id, atom } of round) {
      if (seen.has(key)) {
        retired[atom] = 1;
      } else {
        seen.add(key);
        count(id);
      }
    }
    current = next;
    covered = nextCovered;
  }
  return counts;
}

/** Folds counted environments into `block.length` columns as log1p(count): a benzene ring's six CH atoms give 1.9, not 6. */
function writeMorganCounts(options: { json: string; radius: number; block: Float32Array }): void {
  const { block } = options;
  const folded = new Map<number, number>();
  for (const [id, n] of morganEnvironmentCounts(options)) {
    const column = finalMix(id) % block.length;
    folded.set(column, (folded.get(column) ?? 0) + n);
  }
  for (const [column, n] of folded) block[column] = Math.log1p(n);
}

/** boost::hash_combine on 32 bits, as RDKit combines invariants. */
function hashCombine(seed: number, value: number): number {
  return (seed ^ ((value >>> 0) + 0x9e3779b9 + ((seed << 6) >>> 0) + (seed >>> 2))) >>> 0;
}

/** MurmurHash3's finaliser: hashCombine leaves low bits poorly mixed, and folding keeps only the low bits. */
function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
