import { dapo } from './dapo.js';
import { drGrpo } from './drGrpo.js';
import { grpo } from './grpo.js';
import { npg } from './npg.js';
import type { OptimizerSpec } from './pipeline.js';
import { ppo } from './ppo.js';
import { reinforce } from './reinforce.js';
import { rloo } from './rloo.js';
import type { OptimizerName } from './settings.js';
import { trpo } from './trpo.js';

/** Every optimizer by name, in the order of the ladder (ideal → practical). */
export const OPTIMIZERS: Record<OptimizerName, OptimizerSpec> = { npg, trpo, ppo, reinforce, rloo, grpo, 'dr-grpo': drGrpo, dapo };
