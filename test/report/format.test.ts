import { describe, expect, it } from 'vitest';
import { formatNumber, verdictScore } from '../../src/report/format.js';

describe('formatNumber', () => {
  it.each([
    [null, '—'],
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-123456, '-123456'],
    [0.5, '0.5'],
    [1 / 3, '0.33333'],
    [123.456789, '123.46'],
    [0.00012345678, '0.00012346'],
    [2.5e-12, '2.5e-12'],
    [-6.02214e23, '-6.0221e23'],
    [1234567.8, '1.2346e6'],
    [999999.7, '1e6'],
    [Number.POSITIVE_INFINITY, '∞'],
    [Number.NEGATIVE_INFINITY, '−∞'],
    [Number.NaN, 'NaN'],
  ])('%s → %s', (x, s) => {
    expect(formatNumber(x)).toBe(s);
  });
});

describe('verdictScore', () => {
  it('counts held verdicts', () => {
    const v = { claim: '', source: '', predicted: null, measured: null, tolerance: null };
    expect(verdictScore([{ ...v, holds: true }, { ...v, holds: false }])).toEqual({ held: 1, total: 2, text: '1/2' });
    expect(verdictScore([]).text).toBe('0/0');
  });
});
