import { readRDKitJson, type RDKitJsonBond } from './rdkit-json.js';
import type { RDKitMol } from './rdkit-module.js';
import { BOND_RADII, OUTER_ELECTRONS } from './vsa-tables.js';

/**
 * RDKit's VSA descriptors and EState extremes, which its WebAssembly build does
 * not compute: per heavy atom, a Crippen logP and MR contribution (by atom
 * type), a Labute surface area and an EState index; then the surface areas
 * summed in bins of each property (SlogP_VSA, SMR_VSA, EState_VSA), the EState
 * indices summed in bins of surface area (VSA_EState), and the largest and
 * smallest EState index. The bins, formulas and names are RDKit's
 * (rdkit.Chem.MolSurf, rdkit.Chem.EState), so the values match RDKit's.
 */

const SLOGP_BINS = [-0.4, -0.2, 0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6];
const MR_BINS = [1.29, 1.82, 2.24, 2.45, 2.75, 3.05, 3.63, 3.8, 4.0];
const ESTATE_BINS = [-0.39, 0.29, 0.717, 1.165, 1.54, 1.807, 2.05, 4.69, 9.17, 15.0];
const VSA_BINS = [4.78, 5.0, 5.41, 5.74, 6.0, 6.07, 6.45, 7.0, 11.0];

const numbered = (prefix: string, bins: readonly number[]) => Array.from({ length: bins.length + 1 }, (_, i) => `${prefix}${i + 1}`);

/** The columns, in this order. */
export const VSA_DESCRIPTOR_NAMES: readonly string[] = [
  ...numbered('SlogP_VSA', SLOGP_BINS),
  ...numbered('SMR_VSA', MR_BINS),
  ...numbered('EState_VSA', ESTATE_BINS),
  ...numbered('VSA_EState', VSA_BINS),
  'MaxEStateIndex',
  'MinEStateIndex',
  'MaxAbsEStateIndex',
  'MinAbsEStateIndex',
];

/** What the descriptors need of a molecule: its heavy atoms and bonds as RDKit perceived them. */
interface HeavyAtomGraph {
  atomicNumbers: number[];
  hydrogens: number[];
  /** Per atom, its bonded neighbours. */
  neighbours: number[][];
  bonds: RDKitJsonBond[];
}

function heavyAtomGraph(json: string): HeavyAtomGraph {
  const { atoms, bonds } = readRDKitJson(json);
  const neighbours = atoms.map((): number[] => []);
  for (const {
    atoms: [a, b],
  } of bonds) {
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  return {
    atomicNumbers: atoms.map((atom) => atom.z),
    hydrogens: atoms.map((atom) => atom.impHs),
    neighbours,
    bonds,
  };
}

/**
 * Writes the VSA_DESCRIPTOR_NAMES columns of one molecule into `block`.
 * `crippenTypes` are the Crippen SMARTS as query molecules, in CRIPPEN_TYPES
 * order, with their logP and MR contributions.
 */
export function writeVsaDescriptors(options: {
  mol: RDKitMol;
  crippenTypes: ReadonlyArray<{ query: RDKitMol; logP: number; mr: number }>;
  block: Float32Array;
}): void {
  const graph = heavyAtomGraph(options.mol.get_json());
  const crippen = crippenContributions(options.mol, graph.atomicNumbers.length, options.crippenTypes);
  const areas = labuteAreas(graph);
  const estate = estateIndices(graph);
  const values: number[] = [
    ...binned(SLOGP_BINS, crippen.logP, areas),
    ...binned(MR_BINS, crippen.mr, areas),
    ...binned(ESTATE_BINS, estate, areas),
    ...binned(VSA_BINS, areas, estate),
  ];
  const absolute = estate.map(Math.abs);
  const extreme = (pick: (...xs: number[]) => number, xs: number[]) => (xs.length > 0 ? pick(...xs) : 0);
  values.push(extreme(Math.max, estate), extreme(Math.min, estate), extreme(Math.max, absolute), extreme(Math.min, absolute));
  options.block.set(values);
}

/** Per bin of `by` (RDKit's bisect_right: a value on a boundary goes to the upper bin), the sum of `summed`. */
function binned(bins: readonly number[], by: readonly number[], summed: readonly number[]): number[] {
  const sums = new Array<number>(bins.length + 1).fill(0);
  by.forEach((value, atom) => {
    let bin = 0;
    while (bin < bins.length && bins[bin]! <= value) bin++;
    sums[bin]! += summed[atom]!;
  });
  return sums;
}

/** Each heavy atom takes the contributions of the first Crippen pattern matched from it (unmatched: 0, as in RDKit). */
function crippenContributions(mol: RDKitMol, atoms: number, types: ReadonlyArray<{ query: RDKitMol; logP: number; mr: number }>) {
  const logP = new Array<number>(atoms).fill(0);
  const mr = new Array<number>(atoms).fill(0);
  const typed = new Uint8Array(atoms);
  let left = atoms;
  // Every match, not only one per atom set: [CH3]C matches ethane from each end.
  const everyMatch = JSON.stringify({ uniquify: false });
  for (const type of types) {
    if (left === 0) break;
    const matches = JSON.parse(mol.get_substruct_matches(type.query, everyMatch)) as unknown;
    if (!Array.isArray(matches)) continue;
    for (const match of matches as Array<{ atoms: number[] }>) {
      const first = match.atoms[0]!;
      if (typed[first]) continue;
      typed[first] = 1;
      logP[first] = type.logP;
      mr[first] = type.mr;
      left--;
    }
  }
  return { logP, mr };
}

/** Bonds shorten a sphere's exposed surface by less the higher their order (RDKit: single 0, double 0.2, triple 0.3, aromatic 0.1). */
function bondScale(bond: RDKitJsonBond): number {
  if (bond.aromatic) return 0.1;
  return bond.bo === 2 ? 0.2 : bond.bo === 3 ? 0.3 : 0;
}

/** Labute's approximate surface area of each heavy atom (RDKit's getLabuteAtomContribs, its formula as written). */
function labuteAreas(graph: HeavyAtomGraph): number[] {
  const radius = graph.atomicNumbers.map((z) => BOND_RADII[z] ?? 0);
  const overlap = new Array<number>(radius.length).fill(0);
  const add = (i: number, ri: number, rj: number, bij: number) => {
    const dij = Math.min(Math.max(Math.abs(ri - rj), bij), ri + rj);
    overlap[i]! += rj * rj - (ri - dij) ** 2 / dij;
  };
  for (const bond of graph.bonds) {
    const [i, j] = bond.atoms;
    const bij = radius[i]! + radius[j]! - bondScale(bond);
    add(i, radius[i]!, radius[j]!, bij);
    add(j, radius[j]!, radius[i]!, bij);
  }
  // RDKit takes off one hydrogen's overlap from every atom, whatever its hydrogen count (even none).
  const hydrogen = BOND_RADII[1]!;
  radius.forEach((r, i) => add(i, r, hydrogen, r + hydrogen));
  return radius.map((r, i) => 4 * Math.PI * r * r - Math.PI * r * overlap[i]!);
}

/** Kier and Hall's EState index of each heavy atom (rdkit.Chem.EState.EStateIndices). */
function estateIndices(graph: HeavyAtomGraph): number[] {
  const n = graph.atomicNumbers.length;
  const intrinsic = graph.atomicNumbers.map((z, i) => {
    const degree = graph.neighbours[i]!.length;
    if (degree === 0) return 0;
    const shell = principalQuantumNumber(z);
    const valence = (OUTER_ELECTRONS[z] ?? 0) - graph.hydrogens[i]!;
    return ((4 / (shell * shell)) * valence + 1) / degree;
  });
  const result = [...intrinsic];
  for (let i = 0; i < n; i++) {
    const distance = bondDistances(graph.neighbours, i);
    for (let j = i + 1; j < n; j++) {
      if (distance[j]! < 0) continue;
      const p = distance[j]! + 1;
      const perturbation = (intrinsic[i]! - intrinsic[j]!) / (p * p);
      result[i]! += perturbation;
      result[j]! -= perturbation;
    }
  }
  return result;
}

function principalQuantumNumber(z: number): number {
  const shells = [2, 10, 18, 36, 54, 86];
  const shell = shells.findIndex((last) => z <= last);
  return shell < 0 ? 7 : shell + 1;
}

/** Bonds on the shortest path from `from` to every atom; -1 for another fragment of the molecule. */
function bondDistances(neighbours: readonly number[][], from: number): Int32Array {
  const distance = new Int32Array(neighbours.length).fill(-1);
  distance[from] = 0;
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const atom = queue[head]!;
    for (const next of neighbours[atom]!) {
      if (distance[next]! >= 0) continue;
      distance[next] = distance[atom]! + 1;
      queue.push(next);
    }
  }
  return distance;
}
