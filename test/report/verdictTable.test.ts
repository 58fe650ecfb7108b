import { describe, expect, it } from 'vitest';
import { formatVerdictTable } from '../../src/report/verdictTable.js';
import { sampleResults } from './fixtures.js';

describe('formatVerdictTable', () => {
  it('prints a score line per experiment and one ✓/✗ line per verdict in fixed columns', () => {
    const out = formatVerdictTable(sampleResults());
    const lines = out.split('\n');
    expect(lines.find((l) => l.includes('crossing  Temperature crossing'))).toMatch(/^\s+2\/2 /);
    expect(lines.find((l) => l.includes('mirror/descent'))).toMatch(/^\s+1\/2 /);
    const verdictLines = lines.filter((l) => /[✓✗]/.test(l));
    expect(verdictLines).toHaveLength(4);
    expect(verdictLines.filter((l) => l.includes('✗'))).toHaveLength(1);
    const widths = new Set(verdictLines.map((l) => Array.from(l).length));
    expect(widths.size).toBe(1);
    expect(out).toMatch(/✗ rate is 1 − η<script>.*\s+0\.5\s+0\.61$/m);
    expect(out).toMatch(/✓ success is monotone in τ\s+—\s+—$/m);
    expect(lines.at(-1)).toMatch(/3\/4\s+verdicts held in 2 experiments/);
  });

  it('truncates long claims to one line', () => {
    const claim = `a very long claim ${'x'.repeat(200)}\nwith a newline`;
    const out = formatVerdictTable({
      experiments: [{ ...sampleResults().experiments[0], verdicts: [{ claim, source: '', predicted: 1, measured: 1, tolerance: 0, holds: true }] }],
    });
    const line = out.split('\n').find((l) => l.includes('✓'))!;
    expect(line).toContain('…');
    expect(line).not.toContain('newline');
    expect(Array.from(line.slice(line.indexOf('✓') + 2, line.indexOf('…') + 1))).toHaveLength(70);
  });
});
