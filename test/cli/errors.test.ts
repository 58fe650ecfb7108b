import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

/** Bad input: exit 2, exactly one line on stderr naming the field, never a stack trace. */
function expectUsageError(args: string[], mentions: RegExp): void {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

describe('bad input gets exit 2 and one line', () => {
  it('missing task file', () => expectUsageError(['equilibrium', 'nope.yaml', '--tau', '1'], /nope\.yaml.*not found/));
  it('invalid JSON inline task', () => expectUsageError(['equilibrium', '--task', '{kind:', '--tau', '1'], /--task.*not valid JSON/));
  it('wrong kind', () => expectUsageError(['equilibrium', '--task', '{"kind":"poker"}', '--tau', '1'], /task\.kind = "poker".*bandit/));
  it('τ ≤ 0', () => expectUsageError(['equilibrium', 'examples/binary.yaml', '--tau', '0'], /--tau = "0".*> 0/));
  it('τ not a number', () => expectUsageError(['equilibrium', 'examples/binary.yaml', '--tau', '1,abc'], /--tau = "abc"/));
  it('p outside (0, 1)', () => expectUsageError(['critical', '--task', '{"kind":"binary","p":1.5}'], /task\.p = 1\.5.*\(0, 1\)/));
  it('p = 0', () => expectUsageError(['critical', '--task', '{"kind":"binary","p":0}'], /task\.p = 0/));
  it('negative reference probability', () =>
    expectUsageError(['equilibrium', '--task', '{"kind":"bandit","ref":[0.5,-0.1],"reward":[1,0]}', '--tau', '1'], /task\.ref\[1\] = -0\.1/));
  it('non-finite entries', () =>
    expectUsageError(['equilibrium', '--task', '{"kind":"bandit","ref":[0.5,0.5],"reward":[1,"x"]}', '--tau', '1'], /task\.reward\[1\]/));
  it('length mismatch', () =>
    expectUsageError(['equilibrium', '--task', '{"kind":"bandit","ref":[0.5,0.5],"reward":[1]}', '--tau', '1'], /task\.reward.*lengths must match/));
  it('unknown field', () => expectUsageError(['equilibrium', '--task', '{"kind":"binary","p":0.2,"q":1}', '--tau', '1'], /task\.q.*unknown field/));
  it('unknown flag', () => expectUsageError(['equilibrium', 'examples/binary.yaml', '--tau', '1', '--bogus'], /unknown option '--bogus'/));
  it('unknown command', () => expectUsageError(['equilibirum'], /unknown command/));
  it('flow without --eta', () => expectUsageError(['flow', 'examples/binary.yaml', '--tau', '1', '--steps', '3'], /--eta: missing/));
  it('flow --from other', () => expectUsageError(['flow', 'examples/binary.yaml', '--tau', '1', '--eta', '1', '--steps', '3', '--from', 'argmax'], /--from = "argmax".*ref, uniform/));
  it('--policy on a chain', () => expectUsageError(['equilibrium', 'examples/chain.yaml', '--tau', '1', '--policy'], /--policy: only for bandit and binary/));
  it('unknown experiment', () => expectUsageError(['run', 'nonsense', '--quick'], /experiment = "nonsense": unknown/));
  it('YAML that is not an object', () => expectUsageError(['equilibrium', '--task', '[1,2]', '--tau', '1'], /task = .*must be an object/));
});

describe('--help shows a working example on every command', () => {
  for (const cmd of ['equilibrium', 'critical', 'flow', 'run', 'list']) {
    it(cmd, () => {
      const r = cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n\s+\$ gibbslab /);
    });
  }
  it('the help examples of equilibrium/critical/flow run', () => {
    for (const cmd of ['equilibrium', 'critical', 'flow']) {
      const help = cli([cmd, '--help']).stdout;
      const examples = [...help.matchAll(/\$ gibbslab (.*)$/gm)].map((m) => m[1].replace(/\s+#.*$/, ''));
      expect(examples.length).toBeGreaterThan(0);
      for (const ex of examples) {
        // Split like a shell would for these simple examples (single-quoted JSON stays one argument).
        const args = [...ex.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
        const r = cli(args);
        expect(r.code, `${ex}\n${r.stderr}`).toBe(0);
      }
    }
  });
});
