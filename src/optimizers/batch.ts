import type { Rng } from '../numerics/rng.js';

/** The entropy controls' values for one step, fixed when its batch is collected (src/optimizers/controls.ts). */
export interface StepControls {
  /** Entropy bonus α applied this step (after schedule or adaptive gate). */
  entropyCoef: number;
  /** Clip-Cov / KL-Cov token ratio and coefficient (KL-Cov's ppo_kl_coef, Clip-Cov's detach strength) after annealing. */
  covRatio: number;
  covCoef: number;
}

/**
 * The per-token view of one step's data, flat over all tokens of all completions. Sampled batches
 * have `mass` 1 per token; an exact batch lists every entry the policy can take once, with `mass`
 * its probability of being taken (occupancy × π), so the same loss code computes expectations.
 *
 * Loss terms read `logp` (current), `logpOld` (behaviour) and `logpRef`, `adv`, and `weight` (the
 * aggregation weight of the token times its mask). Entropy controls and other additions act by
 * adding terms or by changing `weight`.
 */
export class TokenBatch {
  /** True when the batch holds exact expectations (no completions; every token is an entry). */
  exact = false;
  completions = 0;
  tokens = 0;
  /** Completions: tokens of i are tokenStart[i] .. tokenStart[i+1]. */
  tokenStart = new Int32Array(17);
  prompt = new Int32Array(16);
  /** Task reward of each completion (what dynamic sampling and tie counts look at). */
  score = new Float64Array(16);
  /** Return of each completion: score plus any KL shaping of its tokens. */
  ret = new Float64Array(16);
  completionAdv = new Float64Array(16);

  row = new Int32Array(16);
  entry = new Int32Array(16);
  mass = new Float64Array(16);
  logpOld = new Float64Array(16);
  logpRef = new Float64Array(16);
  logp = new Float64Array(16);
  /** Token reward: the entry's reward plus the reward-placed KL shaping. */
  reward = new Float64Array(16);
  adv = new Float64Array(16);
  /** Critic value of the token's row and its regression target (GAE). */
  value = new Float64Array(16);
  returns = new Float64Array(16);
  weight = new Float64Array(16);

  /** Batches collected so far (1 for the first step's): the clock of the entropy controls' schedules. */
  step = 0;
  /** The step's random stream, for controls that draw (Clip-Cov's pick splits it by name). */
  rng: Rng | null = null;
  controls: StepControls = { entropyCoef: 0, covRatio: 0, covCoef: 0 };

  reserve(completions: number, tokens: number): void {
    if (completions > this.prompt.length) {
      const n = Math.max(completions, 2 * this.prompt.length);
      this.tokenStart = new Int32Array(n + 1);
      this.prompt = new Int32Array(n);
      this.score = new Float64Array(n);
      this.ret = new Float64Array(n);
      this.completionAdv = new Float64Array(n);
    }
    if (tokens > this.row.length) {
      const n = Math.max(tokens, 2 * this.row.length);
      this.row = new Int32Array(n);
      this.entry = new Int32Array(n);
      this.mass = new Float64Array(n);
      this.logpOld = new Float64Array(n);
      this.logpRef = new Float64Array(n);
      this.logp = new Float64Array(n);
      this.reward = new Float64Array(n);
      this.adv = new Float64Array(n);
      this.value = new Float64Array(n);
      this.returns = new Float64Array(n);
      this.weight = new Float64Array(n);
    }
  }
}
