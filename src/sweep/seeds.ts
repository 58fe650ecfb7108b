import { Rng } from '../numerics/rng.js';
import { canonicalJson } from './paths.js';
import type { GridPoint } from './grid.js';

/**
 * The seed of one config: a child stream of the sweep seed named by the config's identity (its
 * axis values, sorted by path, and its replicate number), never by its index or by execution
 * order. The same point gets the same seed on any worker count, after any resume, and in another
 * sweep whose grid also contains it. One label per axis value keeps a 32-bit label-hash collision
 * confined to two values of the same axis.
 */
export function deriveSeed(sweepSeed: number, point: GridPoint): number {
  const labels = [...point.assignment]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((a) => `${a.path}=${canonicalJson(a.value)}`);
  return Rng.fromSeed(sweepSeed).split('sweep-config', ...labels, 'replicate', point.replicate).int(2 ** 32);
}
