import type { SkippedRows } from './feature-builder.js';

/** One warning per kind of row left out, naming the first rows so the user can look at them. */
export function describeSkipped(path: string, skipped: SkippedRows): string[] {
  const lines: string[] = [];
  const more = (count: number, shown: number) => (count > shown ? ', …' : '');
  if (skipped.emptyText.count > 0) {
    const { count, rows } = skipped.emptyText;
    lines.push(`${path}: skipped ${count} row(s) whose text is empty (rows ${rows.join(', ')}${more(count, rows.length)}).`);
  }
  const invalid = skipped.invalidSmiles;
  if (invalid && invalid.count > 0) {
    const examples = invalid.rows.slice(0, 3).map((row, i) => `row ${row}: "${invalid.examples[i]}" (${invalid.reasons[i]})`);
    lines.push(`${path}: skipped ${invalid.count} row(s) whose SMILES RDKit cannot parse (${examples.join('; ')}${more(invalid.count, 3)}).`);
  }
  return lines;
}
