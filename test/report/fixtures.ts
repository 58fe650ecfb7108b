import type { RunResults } from '../../src/experiments/types.js';
import { lineChart } from '../../src/report/specs.js';

/** Two experiments, one failing a verdict, with a plot and a hostile claim: the report's edge cases in one run. */
export function sampleResults(): RunResults {
  const rows = [1, 2, 3, 4].flatMap((t) => [
    { tau: t, success: 1 / (1 + t), series: 'exact' },
    { tau: t, success: 1 / (1 + t) + 0.01, series: 'flow' },
  ]);
  return {
    gibbslab: '0.1.0',
    createdAt: '2025-01-02T03:04:05.000Z',
    quick: true,
    experiments: [
      {
        id: 'crossing',
        title: 'Temperature crossing',
        question: 'Where does success cross 1/2?',
        source: 'Paper A, Eq. 3',
        claim: 'τ_c = δ / log((1 − p)/p)',
        config: { p: 0.1, delta: 1, taus: [0.1, 1, 10], nested: { seed: 7 } },
        verdicts: [
          { claim: 'crossing at τ_c', source: 'Eq. 3', predicted: 0.4551196, measured: 0.4551199, tolerance: 1e-6, holds: true },
          { claim: 'success is monotone in τ', source: 'Lemma 1', predicted: null, measured: null, tolerance: null, holds: true },
        ],
        plots: [lineChart({ id: 'success', title: 'Success vs τ', rows, x: 'tau', y: 'success', series: 'series', xTitle: 'temperature τ', yTitle: 'success', logX: true })],
        tables: [{ title: 'Crossings', columns: ['K', 'tauC'], rows: [[1, 0.45512], [2, null]] }],
        notes: ['Exact in closed form.'],
        seconds: 0.0123,
      },
      {
        id: 'mirror/descent',
        title: 'Mirror descent',
        question: 'Does the flow converge?',
        source: 'Paper B',
        claim: 'Converges geometrically.',
        config: { eta: 0.5 },
        verdicts: [
          { claim: 'rate is 1 − η<script>alert(1)</script>', source: 'Thm 2', predicted: 0.5, measured: 0.61, tolerance: 0.01, holds: false },
          { claim: 'gap is non-increasing', source: 'Thm 1', predicted: 0, measured: -2.5e-12, tolerance: 1e-9, holds: true },
        ],
        plots: [],
        tables: [],
        notes: [],
        seconds: 1.5,
      },
    ],
    sections: [{ id: 'analyze', title: 'Real runs', paragraphs: ['From logs & such.'], plots: [], tables: [] }],
  };
}
