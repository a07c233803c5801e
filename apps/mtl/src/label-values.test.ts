import { MISSING } from '@mtl/core';
import { isMissingCell, MISSING_TOKENS, parseLabel, parseNumber } from './label-values.js';

describe('parseLabel', () => {
  it.each(['1', '1.0', 'true', 'TRUE', 'True', 'yes', 'YES', 'Yes', ' 1 ', '\tyes'])('%j is positive', (cell) => {
    expect(parseLabel(cell)).toBe(1);
  });

  it.each(['0', '0.0', 'false', 'FALSE', 'False', 'no', 'NO', 'No', ' 0 '])('%j is negative', (cell) => {
    expect(parseLabel(cell)).toBe(0);
  });

  it.each(['', '  ', 'NA', 'na', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', '-1', ' -1 '])('%j is missing', (cell) => {
    expect(parseLabel(cell)).toBe(MISSING);
  });

  it.each(['maybe', '0.5', '2', '-1.0', '1.00', 'y', 'n', 't', 'f', 'positive', '+1', '01'])('%j is not a label', (cell) => {
    expect(parseLabel(cell)).toBeUndefined();
  });
});

describe('isMissingCell', () => {
  it('knows every missing token, trimmed and in any case, and nothing else', () => {
    for (const token of MISSING_TOKENS) {
      expect(isMissingCell(token)).toBe(true);
      expect(isMissingCell(` ${token.toUpperCase()} `)).toBe(true);
    }
    for (const cell of ['0', '1', 'none', '-', '?', 'missing', '-2']) expect(isMissingCell(cell)).toBe(false);
  });
});

describe('parseNumber', () => {
  it('reads finite numbers, trimmed', () => {
    expect(parseNumber('3.25')).toBe(3.25);
    expect(parseNumber(' -0.5 ')).toBe(-0.5);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('0')).toBe(0);
  });

  it('-1 is a number in a feature column (it means "missing" only for labels)', () => {
    expect(parseNumber('-1')).toBe(-1);
  });

  it.each(['', 'NA', 'n/a', 'NaN', 'null'])('%j is a missing value (NaN)', (cell) => {
    expect(parseNumber(cell)).toBeNaN();
  });

  it.each(['abc', '1,5', 'Infinity', '-Infinity', '1e400', '12kg'])('%j is not a number', (cell) => {
    expect(parseNumber(cell)).toBeUndefined();
  });
});
