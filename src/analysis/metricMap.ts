import type { LogFormat, ParsedLog } from './types.js';

/**
 * One vocabulary for metrics from every library (ANCHORS.md §4.4), with the versioned aliases
 * each library has used. A row takes the first alias it has, so a log that carries both an old
 * and a new name (Unsloth writes `completion_length` next to `completions/mean_length`) reads the
 * new one.
 */

export type Library = 'trl' | 'verl' | 'openrlhf' | 'unknown';

interface Alias {
  key: string;
  /** Only for logs of this library (the same key means different things elsewhere). */
  library?: Library;
}

export interface MetricDef {
  name: string;
  description: string;
  aliases: Alias[];
}

const a = (key: string, library?: Library): Alias => ({ key, library });

export const METRICS: readonly MetricDef[] = [
  {
    name: 'reward/mean',
    description: 'mean sequence reward of the batch (verl: the raw score, before KL shaping)',
    aliases: [a('reward'), a('critic/score/mean'), a('objective/scores')],
  },
  {
    name: 'reward/std',
    description: 'reward standard deviation (TRL ≥ 0.17: over the whole batch; earlier TRL and OpenRLHF: mean of per-group stds)',
    aliases: [a('reward_std'), a('group_reward_std')],
  },
  {
    name: 'entropy',
    description: 'mean token entropy of the sampled completions (nats)',
    aliases: [
      a('entropy'),
      a('actor/entropy'),
      // verl ≤ 0.3 logged the mean entropy under this name; OpenRLHF still does.
      a('actor/entropy_loss', 'verl'),
      a('entropy_loss', 'openrlhf'),
      a('objective/entropy'),
    ],
  },
  {
    name: 'kl_ref',
    description: 'KL to the reference policy as the library estimates it (see the KL reading)',
    aliases: [a('kl', 'trl'), a('kl', 'openrlhf'), a('actor/kl_loss'), a('actor/reward_kl_penalty'), a('objective/kl')],
  },
  {
    name: 'kl_old',
    description: 'KL between the sampling (old) policy and the updated one within a step',
    aliases: [a('actor/ppo_kl'), a('ppo_kl'), a('policy_kl', 'openrlhf')],
  },
  { name: 'kl_coef', description: 'reference-KL coefficient β as logged', aliases: [a('actor/kl_coef'), a('actor/reward_kl_penalty_coeff')] },
  { name: 'clip_ratio/low_mean', description: 'fraction of tokens clipped below (r < 1−ε, A < 0)', aliases: [a('clip_ratio/low_mean')] },
  { name: 'clip_ratio/high_mean', description: 'fraction of tokens clipped above (r > 1+ε, A > 0)', aliases: [a('clip_ratio/high_mean')] },
  {
    name: 'clip_ratio/region_mean',
    description: 'fraction of tokens in either clipped region',
    aliases: [a('clip_ratio/region_mean'), a('clip_ratio', 'trl')],
  },
  {
    name: 'pg_clipfrac',
    description: 'fraction of tokens where the PPO clip is active (verl meaning)',
    aliases: [a('actor/pg_clipfrac'), a('ppo_clip_ratio'), a('clip_ratio', 'openrlhf')],
  },
  { name: 'pg_clipfrac_lower', description: 'dual-clip fraction (verl)', aliases: [a('actor/pg_clipfrac_lower')] },
  {
    name: 'frac_reward_zero_std',
    description: 'fraction of groups whose rewards all tie (no GRPO learning signal)',
    aliases: [a('frac_reward_zero_std'), a('frac_zero_reward_std')],
  },
  {
    name: 'completions/mean_length',
    description: 'mean completion length (tokens)',
    aliases: [a('completions/mean_length'), a('completion_length'), a('response_length/mean'), a('response_length', 'openrlhf')],
  },
  {
    name: 'completions/clipped_ratio',
    description: 'fraction of completions cut at the length limit',
    aliases: [a('completions/clipped_ratio'), a('response_length/clip_ratio')],
  },
  { name: 'lr', description: 'learning rate', aliases: [a('learning_rate'), a('actor/lr'), a('actor_lr')] },
  { name: 'grad_norm', description: 'gradient norm (before clipping)', aliases: [a('grad_norm'), a('actor/grad_norm'), a('actor_grad_norm')] },
  { name: 'loss', description: 'training loss as logged', aliases: [a('loss')] },
  { name: 'pg_loss', description: 'policy-gradient loss', aliases: [a('actor/pg_loss'), a('policy_loss')] },
  { name: 'epoch', description: 'epoch', aliases: [a('epoch'), a('training/epoch')] },
];

/** `rewards/<f>` (TRL before the /mean suffix) and `rewards/<f>/{mean,std}`. */
function rewardFunctionName(key: string): string | null {
  const m = /^rewards\/(.+?)(\/(mean|std))?$/.exec(key);
  if (!m) return null;
  return `rewards/${m[1]}/${m[3] ?? 'mean'}`;
}

/**
 * Which library wrote the log: from the format, and for wandb exports from the key set
 * (verl's `actor/…`, OpenRLHF's `actor_lr`, TRL's `reward_std`).
 */
function inferLibrary(format: LogFormat, keys: ReadonlySet<string>): Library {
  if (format.startsWith('trl-')) return 'trl';
  if (format.startsWith('verl-')) return 'verl';
  if (format === 'openrlhf') return 'openrlhf';
  const has = (k: string) => keys.has(k);
  if ([...keys].some((k) => k.startsWith('actor/') || k.startsWith('critic/'))) return 'verl';
  if (has('actor_lr') || has('policy_loss') || has('group_reward_std')) return 'openrlhf';
  if (has('reward_std') || has('completion_length') || has('completions/mean_length') || has('frac_reward_zero_std')) return 'trl';
  return 'unknown';
}

/** wandb exports of TRL and OpenRLHF runs prefix every key with `train/`. */
function normalizeKey(key: string): string {
  return key.startsWith('train/') ? key.slice('train/'.length) : key;
}

export interface MappedMetrics {
  library: Library;
  steps: number[];
  /** Canonical name → one value per step (NaN where the row has none). */
  metrics: Record<string, number[]>;
  /** Canonical name → the raw keys it was read from. */
  sources: Record<string, string[]>;
  /** Raw keys with no canonical counterpart (kept out of `metrics`). */
  unmapped: string[];
  /** Raw key → one value per step, for `--accuracy` and the KL reading. */
  raw: Map<string, number[]>;
}

export function mapMetrics(log: ParsedLog): MappedMetrics {
  const steps = log.rows.map((r) => r.step);
  const n = steps.length;
  const raw = new Map<string, number[]>();
  log.rows.forEach((row, i) => {
    for (const [key, v] of Object.entries(row.values)) {
      const k = normalizeKey(key);
      let col = raw.get(k);
      if (!col) raw.set(k, (col = new Array<number>(n).fill(NaN)));
      // A key and its `train/` twin in one row: keep the first value, they are the same metric.
      if (Number.isNaN(col[i])) col[i] = v;
    }
  });
  const library = inferLibrary(log.format, new Set(raw.keys()));
  const metrics: Record<string, number[]> = {};
  const sources: Record<string, string[]> = {};
  const used = new Set<string>(['step']);
  for (const def of METRICS) {
    const cols = def.aliases
      .filter((al) => !al.library || al.library === library)
      .map((al) => [al.key, raw.get(al.key)] as const)
      .filter((c): c is readonly [string, number[]] => c[1] !== undefined);
    if (cols.length === 0) continue;
    const out = new Array<number>(n).fill(NaN);
    const from = new Set<string>();
    for (let i = 0; i < n; i++) {
      for (const [key, col] of cols) {
        if (!Number.isNaN(col[i])) {
          out[i] = col[i];
          from.add(key);
          break;
        }
      }
    }
    cols.forEach(([key]) => used.add(key));
    metrics[def.name] = out;
    sources[def.name] = from.size ? [...from] : [cols[0][0]];
  }
  for (const [key, col] of raw) {
    const name = rewardFunctionName(key);
    if (!name) continue;
    used.add(key);
    // The old bare name and the new `/mean` name of one function are one series.
    const prev = metrics[name];
    metrics[name] = prev ? prev.map((v, i) => (Number.isNaN(v) ? col[i] : v)) : [...col];
    (sources[name] ??= []).push(key);
  }
  const unmapped = [...raw.keys()].filter((k) => !used.has(k)).sort();
  return { library, steps, metrics, sources, unmapped, raw };
}
