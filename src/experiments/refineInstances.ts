import { refineTaskSchema, type RefineTask } from '../tasks/schema.js';
import { refineWorld, type RefineWorld } from '../tasks/worlds.js';

/** Where the refinement-chain experiments' claims come from: reconstructed, as SPEC §5 says. */
export const TAN_HONG = 'Tan & Hong, arXiv 2512.18730 (reconstructed from the abstract: SPEC §5)';

/** A generated refinement chain, validated exactly as a task file would be. */
export function generatedRefine(generate: NonNullable<RefineTask['generate']> | Record<string, unknown>): RefineWorld {
  return refineWorld(refineTaskSchema.parse({ kind: 'refine', generate }));
}
