import { describe, expect, it } from 'vitest';
import { checkMissingRates, missingRate, missingRates, positiveInteger, positiveNumber, rateList } from './flag-values.js';

describe('flag parsers', () => {
  it('accept what they promise', () => {
    expect(positiveInteger('--epochs')('12')).toBe(12);
    expect(missingRate('--missing-rate')('0')).toBe(0);
    expect(positiveNumber('--learning-rate')('1e-3')).toBe(0.001);
    expect(missingRates('--missing-rate', ['a', 'b', 'c'])('0.5')).toBe(0.5);
    expect(missingRates('--missing-rate', ['a', 'b', 'c'])('0.1, 0.5,0.9')).toEqual([0.1, 0.5, 0.9]);
    expect(missingRates('--missing-rate')('0.1,0.5')).toEqual([0.1, 0.5]);
    expect(rateList('--sweep')('0, 0.5,0.97')).toEqual([0, 0.5, 0.97]);
    expect(() => checkMissingRates('--missing-rate', [0.1, 0.2], ['a', 'b'])).not.toThrow();
  });

  it.each([
    [positiveInteger('--epochs'), '1.5', /--epochs 1.5: expected a whole number of at least 1/],
    [positiveInteger('--epochs'), '1e400', /--epochs 1e400: expected a whole number/],
    [missingRate('--missing-rate'), 'NaN', /--missing-rate NaN: expected a number in \[0, 1\)/],
    [missingRate('--missing-rate'), 'Infinity', /--missing-rate Infinity: expected a number in \[0, 1\)/],
    [missingRate('--missing-rate'), '', /--missing-rate : expected a number/],
    [positiveNumber('--learning-rate'), 'NaN', /--learning-rate NaN: expected a number greater than 0/],
    [positiveNumber('--learning-rate'), '-Infinity', /--learning-rate -Infinity/],
    [missingRates('--missing-rate', ['a', 'b', 'c']), '0.1,0.2', /2 rates for 3 tasks \(a, b, c\)/],
    [missingRates('--missing-rate', ['a', 'b', 'c']), '0.1,1,0.2', /--missing-rate 1: expected a number in \[0, 1\)/],
    [rateList('--sweep'), '0,0.5,1', /--sweep 1: expected a number in \[0, 1\)/],
    [rateList('--sweep'), '0.5,0.5', /--sweep 0.5,0.5: 0.5 is given twice/],
    [rateList('--sweep'), '', /--sweep : expected a number/],
    [
      (v: string) => checkMissingRates('--missing-rate', v.split(',').map(Number), ['a', 'b', 'c']),
      '0.1,0.2',
      /--missing-rate 0.1,0.2: 2 rates for 3 tasks \(a, b, c\)/,
    ],
  ])('rejects %#: %s', (parse, value, message) => {
    expect(() => parse(value)).toThrow(message);
  });
});
