/** One atom of RDKit's "rdkitjson", RDKit's defaults filled in. */
export interface RDKitJsonAtom {
  z: number;
  impHs: number;
  chg: number;
  isotope: number;
}

/** One bond of RDKit's "rdkitjson", RDKit's defaults filled in. */
export interface RDKitJsonBond {
  atoms: [number, number];
  bo: number;
  aromatic: boolean;
}

/** A molecule as RDKit perceived it (after sanitising): atoms, bonds with their aromaticity, rings. */
export interface RDKitJsonMolecule {
  atoms: RDKitJsonAtom[];
  bonds: RDKitJsonBond[];
  atomRings: number[][];
}

interface RDKitJsonDocument {
  defaults: { atom: Partial<RDKitJsonAtom>; bond: Partial<RDKitJsonBond> };
  molecules: Array<{
    atoms?: Array<Partial<RDKitJsonAtom>>;
    bonds?: Array<Partial<RDKitJsonBond> & { atoms: [number, number] }>;
    extensions?: Array<{ name: string; aromaticBonds?: number[]; atomRings?: number[][] }>;
  }>;
}

/** Reads mol.get_json(): fields a molecule leaves out take the document's defaults, then RDKit's own. */
export function readRDKitJson(json: string): RDKitJsonMolecule {
  const doc = JSON.parse(json) as RDKitJsonDocument;
  const molecule = doc.molecules[0] ?? {};
  const representation = molecule.extensions?.find((extension) => extension.name === 'rdkitRepresentation');
  const aromatic = new Set(representation?.aromaticBonds ?? []);
  const atoms = (molecule.atoms ?? []).map((atom) => ({ z: 6, impHs: 0, chg: 0, isotope: 0, ...doc.defaults.atom, ...atom }));
  const bonds = (molecule.bonds ?? []).map((bond, b) => ({ bo: 1, ...doc.defaults.bond, ...bond, aromatic: aromatic.has(b) }));
  return { atoms, bonds, atomRings: representation?.atomRings ?? [] };
}
