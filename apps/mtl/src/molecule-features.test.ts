import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, StageEvent } from '@mtl/core';
import { FeatureCache } from './feature-cache.js';
import { FRAGMENT_PATTERNS } from './fragment-patterns.js';
import {
  DEFAULT_MOLECULE_RECIPE,
  featurizeMolecules,
  FeaturizingStopped,
  MACCS_KEYS,
  morganEnvironmentCounts,
  normalizeMoleculeRecipe,
  parseMoleculeRecipe,
} from './molecule-features.js';
import { loadRDKit } from './rdkit-module.js';

const ASPIRIN = 'CC(=O)Oc1ccccc1C(=O)O';
const CAFFEINE = 'Cn1cnc2c1c(=O)n(C)c(=O)n2C';
const BENZENE = 'c1ccccc1';
const FEW = [ASPIRIN, CAFFEINE, BENZENE, 'C1CC', ''];

/** The SMILES of the 40 Tox21 rows in fixtures/molecules.csv (last column; SMILES hold no commas). */
const FIXTURE = readFileSync(new URL('./fixtures/molecules.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').at(-1)!);

const ALL_PARTS = parseMoleculeRecipe({ fingerprints: 'morgan,morgan-counts,maccs,atom-pair,torsion,rdkit,descriptors' });

function onBits(row: Float32Array): number[] {
  const on: number[] = [];
  row.forEach((v, i) => v !== 0 && on.push(i));
  return on;
}

function rowOf(result: { x: { data: Float32Array }; width: number }, row: number, from = 0, to = result.width): Float32Array {
  return result.x.data.subarray(row * result.width + from, row * result.width + to);
}

describe('loadRDKit', () => {
  it('loads the WebAssembly module once and reports its version', async () => {
    const rdkit = await loadRDKit();
    expect(rdkit.version).toMatch(/^\d{4}\.\d{2}\.\d+/);
    expect(rdkit.wasmPath).toMatch(/RDKit_minimal\.wasm$/);
    expect(await loadRDKit()).toBe(rdkit);
  });
});

describe('featurizeMolecules', () => {
  it('turns SMILES into RDKit Morgan bits (radius 2, 2048 by default) and names the invalid rows', async () => {
    const result = await featurizeMolecules({ smiles: FEW });
    expect(result.width).toBe(2048);
    expect(result.x.rows).toBe(5);
    expect(result.featureNames.slice(0, 2)).toEqual(['morgan2:0', 'morgan2:1']);
    expect(Array.from(result.valid)).toEqual([1, 1, 1, 0, 0]);
    expect(result.invalid).toEqual({
      count: 2,
      rows: [4, 5],
      examples: ['C1CC', ''],
      reasons: ["SMILES Parse Error: unclosed ring for input: 'C1CC'", 'empty SMILES'],
    });
    expect(onBits(rowOf(result, 3))).toEqual([]);
    // Benzene has three environments (atom, radius 1, radius 2); aspirin 24 bits: RDKit's own count.
    expect(onBits(rowOf(result, 2))).toHaveLength(3);
    const rdkit = await loadRDKit();
    for (const [row, smiles] of [ASPIRIN, CAFFEINE, BENZENE].entries()) {
      const mol = rdkit.module.get_mol(smiles)!;
      const text = mol.get_morgan_fp(JSON.stringify({ radius: 2, nBits: 2048 }));
      mol.delete();
      const expected = [...text].flatMap((c, i) => (c === '1' ? [i] : []));
      expect(onBits(rowOf(result, row))).toEqual(expected);
    }
    expect(onBits(rowOf(result, 0))).toHaveLength(24);
    expect(new Set(rowOf(result, 1))).toEqual(new Set([0, 1]));
  });

  it('gives the same matrix every time', async () => {
    const first = await featurizeMolecules({ smiles: FIXTURE, recipe: ALL_PARTS });
    const second = await featurizeMolecules({ smiles: FIXTURE, recipe: ALL_PARTS });
    expect(Buffer.from(second.x.data.buffer).equals(Buffer.from(first.x.data.buffer))).toBe(true);
    expect(second.featureNames).toEqual(first.featureNames);
  });

  it('lays out every part with its named columns: morgan, counts, 167 MACCS keys, atom pairs, torsions, RDKit paths, sorted descriptors', async () => {
    const result = await featurizeMolecules({ smiles: FIXTURE, recipe: ALL_PARTS });
    const descriptors = result.featureNames.filter((name) => name.startsWith('desc:'));
    expect(descriptors.length).toBeGreaterThan(30);
    expect(result.width).toBe(2048 * 5 + MACCS_KEYS + descriptors.length);
    expect(new Set(result.featureNames).size).toBe(result.width);
    const prefixes = [...new Set(result.featureNames.map((name) => name.slice(0, name.lastIndexOf(':'))))];
    expect(prefixes).toEqual(['morgan2', 'morgan2-counts', 'maccs', 'atom-pair', 'torsion', 'rdkit', 'desc']);
    expect(descriptors).toEqual([...descriptors].sort());
    expect(descriptors).toEqual(expect.arrayContaining(['desc:amw', 'desc:tpsa', 'desc:CrippenClogP', 'desc:NumAromaticRings']));
    expect(result.valid.every((v) => v === 1)).toBe(true);
    expect(result.invalid.count).toBe(0);
    expect(result.nonFinite.values).toBe(0);

    // Fingerprint blocks are bits, mostly zeros; every molecule sets some in each. RDKit's path
    // fingerprint (paths up to 7 bonds, 2 bits each) fills up to two thirds of 2048 for a big ring system.
    const blocks = [
      ['morgan2', 2048],
      ['maccs', MACCS_KEYS],
      ['atom-pair', 2048],
      ['torsion', 2048],
      ['rdkit', 2048],
    ] as const;
    for (const [prefix, width] of blocks) {
      const from = result.featureNames.indexOf(`${prefix}:0`);
      for (let row = 0; row < result.x.rows; row++) {
        const block = rowOf(result, row, from, from + width);
        expect(block.every((v) => v === 0 || v === 1)).toBe(true);
        if (prefix !== 'torsion') expect(onBits(block).length, `${prefix} of row ${row + 1} (${FIXTURE[row]})`).toBeGreaterThan(0);
        expect(onBits(block).length / width).toBeLessThan(prefix === 'rdkit' ? 0.9 : prefix === 'maccs' ? 0.6 : 0.4);
      }
    }
  });

  it('matches RDKit MACCS keys bit for bit and reports RDKit descriptor values by name', async () => {
    const result = await featurizeMolecules({ smiles: [ASPIRIN, CAFFEINE], recipe: parseMoleculeRecipe({ fingerprints: 'maccs,descriptors' }) });
    expect(result.featureNames[0]).toBe('maccs:0');
    expect(result.featureNames[MACCS_KEYS - 1]).toBe('maccs:166');
    const rdkit = await loadRDKit();
    const mol = rdkit.module.get_mol(ASPIRIN)!;
    const text = mol.get_maccs_fp();
    mol.delete();
    expect(text).toHaveLength(MACCS_KEYS);
    expect(onBits(rowOf(result, 0, 0, MACCS_KEYS))).toEqual([...text].flatMap((c, i) => (c === '1' ? [i] : [])));

    const value = (row: number, name: string) => result.x.data[row * result.width + result.featureNames.indexOf(`desc:${name}`)];
    expect(value(0, 'amw')).toBeCloseTo(180.159, 2);
    expect(value(1, 'amw')).toBeCloseTo(194.194, 2);
    expect(value(0, 'NumAromaticRings')).toBe(1);
    expect(value(1, 'NumAromaticRings')).toBe(2);
    expect(value(0, 'NumHBD')).toBe(1);
  });

  it("counts RDKit's 85 functional groups (fr_*) as log1p of unique matches, in RDKit's order", async () => {
    const dinitrobenzene = 'O=[N+]([O-])c1cccc([N+](=O)[O-])c1';
    const result = await featurizeMolecules({ smiles: [ASPIRIN, dinitrobenzene, 'Clc1ccccc1'], recipe: parseMoleculeRecipe({ fingerprints: 'fragments' }) });
    expect(result.width).toBe(FRAGMENT_PATTERNS.length);
    expect(result.width).toBe(85);
    expect(result.featureNames.slice(0, 3)).toEqual(['frag:fr_C=O', 'frag:fr_C=O_noCOO', 'frag:fr_Al_OH']);
    const count = (row: number, name: string) => Math.round(Math.expm1(result.x.data[row * result.width + result.featureNames.indexOf(`frag:${name}`)]!));
    // Aspirin: an ester and an acid, so two carbonyls, on one benzene ring.
    expect([count(0, 'fr_C=O'), count(0, 'fr_ester'), count(0, 'fr_COO'), count(0, 'fr_benzene'), count(0, 'fr_nitro')]).toEqual([2, 1, 1, 1, 0]);
    expect([count(1, 'fr_nitro'), count(1, 'fr_nitro_arom'), count(1, 'fr_benzene'), count(1, 'fr_halogen')]).toEqual([2, 2, 1, 0]);
    expect(count(2, 'fr_halogen')).toBe(1);
    expect(result.x.data[result.featureNames.indexOf('frag:fr_C=O')]).toBeCloseTo(Math.log1p(2), 6);
  });

  it("computes RDKit's VSA descriptors and EState extremes as RDKit does (reference values from RDKit 2022.09's Python descriptors)", async () => {
    const salt = '[I-].[K+]';
    const result = await featurizeMolecules({ smiles: [ASPIRIN, CAFFEINE, salt], recipe: parseMoleculeRecipe({ fingerprints: 'vsa' }) });
    expect(result.width).toBe(47);
    expect(result.featureNames.slice(0, 2)).toEqual(['vsa:SlogP_VSA1', 'vsa:SlogP_VSA2']);
    expect(result.featureNames.at(-1)).toBe('vsa:MinAbsEStateIndex');
    const reference: Record<string, [number, number, number]> = {
      SlogP_VSA1: [4.736863, 11.24901, 75.361175],
      SlogP_VSA2: [17.045138, 18.685277, 0],
      SMR_VSA1: [19.432465, 0, 75.361175],
      SMR_VSA7: [29.82892, 27.165405, 0],
      EState_VSA1: [11.938611, 0, 0],
      EState_VSA4: [0, 4.5671, 0],
      VSA_EState2: [21.184768, 27.154448, 0],
      VSA_EState6: [5.978793, 0, 0],
      MaxEStateIndex: [10.611948, 11.672037, 0],
      MinEStateIndex: [-1.114028, -0.36, 0],
      MinAbsEStateIndex: [0.016019, 0.316574, 0],
    };
    for (const [name, values] of Object.entries(reference)) {
      values.forEach((expected, row) =>
        expect(result.x.data[row * result.width + result.featureNames.indexOf(`vsa:${name}`)], `${name} of row ${row + 1}`).toBeCloseTo(expected, 3),
      );
    }
  });

  it('counts Morgan environments: benzene has three, each six times', async () => {
    const result = await featurizeMolecules({ smiles: [BENZENE, 'C'], recipe: { parts: [{ kind: 'morgan-counts', radius: 2, bits: 2048 }] } });
    expect(rowOf(result, 0).filter((v) => v !== 0)).toEqual(new Float32Array([Math.log1p(6), Math.log1p(6), Math.log1p(6)]));
    // Methane: one atom, no bonds, so only its round-0 environment.
    expect(rowOf(result, 1).filter((v) => v !== 0)).toEqual(new Float32Array([Math.log1p(1)]));
  });

  it('finds as many distinct Morgan environments as RDKit sets bits in an unfolded-size fingerprint, on every fixture molecule', async () => {
    const rdkit = await loadRDKit();
    for (const radius of [1, 2, 3]) {
      for (const smiles of [...FIXTURE, ASPIRIN, CAFFEINE, '[Na+].[Cl-]', 'OC(=O)C(F)(F)F', 'C[C@H](N)C(=O)O']) {
        const mol = rdkit.module.get_mol(smiles)!;
        // 2^20 bits: RDKit's 32-bit environment ids almost never collide after folding.
        const packed = mol.get_morgan_fp_as_uint8array(JSON.stringify({ radius, nBits: 1 << 20 })) as Uint8Array;
        const json = mol.get_json();
        mol.delete();
        let rdkitBits = 0;
        for (const byte of packed) for (let b = byte; b; b &= b - 1) rdkitBits++;
        const ours = morganEnvironmentCounts({ json, radius });
        expect(ours.size, `radius ${radius}, ${smiles}`).toBe(rdkitBits);
      }
    }
  });

  it('reports progress as stage events (start, every 250 molecules, finished) and stops when asked', async () => {
    const smiles = Array.from({ length: 600 }, (_, i) => FIXTURE[i % FIXTURE.length]!);
    smiles[10] = 'not a molecule';
    const events: RunEvent[] = [];
    await featurizeMolecules({ smiles, onEvent: (e) => events.push(e) });
    const stages = events as StageEvent[];
    expect(stages.map((e) => [e.name, e.done, e.total, e.unit, e.finished ?? false])).toEqual([
      ['featurizing', 0, 600, 'molecules', false],
      ['featurizing', 250, 600, 'molecules', false],
      ['featurizing', 500, 600, 'molecules', false],
      ['featurizing', 600, 600, 'molecules', true],
    ]);
    expect(stages.at(-1)!.counters).toEqual({ invalid: 1 });
    expect(stages.at(-1)!.rate).toBeGreaterThan(0);

    let asked = 0;
    const stopping = featurizeMolecules({ smiles, column: 'SMILES', shouldStop: () => ++asked > 300 });
    await expect(stopping).rejects.toThrow(FeaturizingStopped);
    await expect(featurizeMolecules({ smiles, column: 'SMILES', shouldStop: () => true })).rejects.toMatchObject({
      done: 0,
      total: 600,
      message: 'featurizing column SMILES stopped after 0 of 600 molecules; nothing was cached, the next run starts again',
    });
  });

  it('reads a second identical run from the cache, and computes again for another recipe or other molecules', async () => {
    const cache = new FeatureCache({ dir: mkdtempSync(join(tmpdir(), 'molecule-cache-')) });
    const recipe = parseMoleculeRecipe({ fingerprints: 'morgan,maccs,descriptors' });
    const smiles = [...FIXTURE, 'C1CC'];
    const first = await featurizeMolecules({ smiles, recipe, cache });
    expect(first.fromCache).toBe(false);

    const events: RunEvent[] = [];
    const second = await featurizeMolecules({ smiles, recipe, cache, onEvent: (e) => events.push(e) });
    expect(second.fromCache).toBe(true);
    expect(Buffer.from(second.x.data.buffer).equals(Buffer.from(first.x.data.buffer))).toBe(true);
    expect(Array.from(second.valid)).toEqual(Array.from(first.valid));
    expect(second.invalid).toEqual(first.invalid);
    expect(second.featureNames).toEqual(first.featureNames);
    expect(events).toEqual([
      {
        type: 'stage',
        name: 'featurizing',
        done: smiles.length,
        total: smiles.length,
        unit: 'molecules',
        finished: true,
        counters: { cached: smiles.length, invalid: 1 },
      },
    ]);

    expect((await featurizeMolecules({ smiles, recipe: DEFAULT_MOLECULE_RECIPE, cache })).fromCache).toBe(false);
    expect((await featurizeMolecules({ smiles: smiles.slice(1), recipe, cache })).fromCache).toBe(false);
  });
});

describe('parseMoleculeRecipe', () => {
  it('defaults to Morgan radius 2, 2048 bits, and applies --fp-radius and --fp-bits to the kinds that use them', () => {
    expect(parseMoleculeRecipe({})).toEqual(DEFAULT_MOLECULE_RECIPE);
    expect(parseMoleculeRecipe({ fingerprints: 'morgan, MACCS,atom-pair,descriptors', fpRadius: '3', fpBits: 1024 })).toEqual({
      parts: [{ kind: 'morgan', radius: 3, bits: 1024 }, { kind: 'maccs' }, { kind: 'atom-pair', bits: 1024 }, { kind: 'descriptors' }],
    });
  });

  it('names the flag, the value and what to do', () => {
    expect(() => parseMoleculeRecipe({ fingerprints: 'morgan,ecfp' })).toThrow(
      "--fingerprints 'morgan,ecfp': unknown kind 'ecfp'. Valid kinds: morgan, morgan-counts, maccs, atom-pair, torsion, rdkit, descriptors, fragments, vsa (comma-separated, e.g. --fingerprints morgan,maccs,descriptors).",
    );
    expect(() => parseMoleculeRecipe({ fingerprints: 'morgan,,maccs' })).toThrow(/--fingerprints 'morgan,,maccs': an empty kind\. Valid kinds/);
    expect(() => parseMoleculeRecipe({ fingerprints: 'maccs,maccs' })).toThrow("--fingerprints 'maccs,maccs': 'maccs' is listed twice. Name each kind once.");
    expect(() => parseMoleculeRecipe({ fpRadius: 'two' })).toThrow(
      '--fp-radius two: expected a whole number from 0 to 6 (the Morgan radius in bonds; 2 gives ECFP4).',
    );
    expect(() => parseMoleculeRecipe({ fpRadius: 7 })).toThrow(/--fp-radius 7: expected a whole number from 0 to 6/);
    expect(() => parseMoleculeRecipe({ fpBits: '0' })).toThrow('--fp-bits 0: expected a whole number from 8 to 16384 (the length of each hashed fingerprint).');
    expect(() => parseMoleculeRecipe({ fpBits: '2048.5' })).toThrow(/--fp-bits 2048\.5: expected a whole number/);
    expect(() => parseMoleculeRecipe({ fingerprints: 'maccs,descriptors', fpRadius: 3 })).toThrow(
      "--fp-radius 3 applies to morgan and morgan-counts, which --fingerprints 'maccs,descriptors' does not include. Add one of them or drop --fp-radius.",
    );
    expect(() => parseMoleculeRecipe({ fingerprints: 'descriptors', fpBits: 1024 })).toThrow(
      /--fp-bits 1024 applies to morgan, morgan-counts, atom-pair, torsion, rdkit, none of which/,
    );
  });

  it('checks recipes built in code too', () => {
    expect(() => normalizeMoleculeRecipe({ parts: [] })).toThrow(/without parts/);
    expect(() => normalizeMoleculeRecipe({ parts: [{ kind: 'morgan', radius: 2, bits: 0 }] })).toThrow(/bits must be a whole number from 8 to 16384/);
    expect(() =>
      normalizeMoleculeRecipe({
        parts: [
          { kind: 'atom-pair', bits: 512 },
          { kind: 'atom-pair', bits: 1024 },
        ],
      }),
    ).toThrow(/both make the columns atom-pair:\*/);
    expect(
      normalizeMoleculeRecipe({
        parts: [
          { kind: 'morgan', radius: 1, bits: 64 },
          { kind: 'morgan', radius: 3, bits: 64 },
        ],
      }).parts,
    ).toHaveLength(2);
  });
});
