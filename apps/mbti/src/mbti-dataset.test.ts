import { labelMatrix } from './mbti-dataset.js';
import { typeFromProbabilities } from './personality-type.js';

describe('MBTI labels', () => {
  it('labels 1 = I, N, T, J', () => {
    expect(Array.from(labelMatrix(['INTJ', 'ESFP']).data)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(typeFromProbabilities([0.9, 0.2, 0.5, 0.49])).toBe('ISTP');
  });
});
