import { describe, expect, it } from 'vitest';
import { progressBar } from './progress-bar.js';

describe('progressBar', () => {
  it('fills in eighths of a cell', () => {
    expect(progressBar(0, 4)).toBe('····');
    expect(progressBar(0.5, 4)).toBe('██··');
    expect(progressBar(1 / 16, 4)).toBe('▎···');
    expect(progressBar(2, 4)).toBe('████');
  });
});
