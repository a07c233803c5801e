import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { UserError } from '@mtl/core';

/** The first `wanted` non-empty texts of a CSV column, each cell cut at `split` when given. */
export async function readCsvTexts(options: { path: string; column: string; split: string | undefined; wanted: number }): Promise<string[]> {
  const texts: string[] = [];
  const rows = createReadStream(options.path).pipe(parse({ columns: true, relax_column_count: true }));
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    const cell = row[options.column];
    if (cell === undefined)
      throw new UserError(`${options.path}: no column "${options.column}" (columns: ${Object.keys(row).join(', ')}). Pass --column NAME.`);
    const pieces = options.split === undefined ? [cell] : cell.split(options.split);
    texts.push(...pieces.map((text) => text.trim()).filter((text) => text !== ''));
    if (texts.length >= options.wanted) break;
  }
  rows.destroy();
  return texts.slice(0, options.wanted);
}
