import { describe, expect, it } from 'vitest';
import { Kubectl, type ProcessRunner, type RunOptions } from './kubectl.js';
import { cliWith, runScenario } from './run-scenarios.js';
import { SCENARIOS, type ScenarioContext } from './scenarios/index.js';

interface Call {
  file: string;
  argv: unknown[];
  options: RunOptions;
}

/** Records every process start. It answers kubectl's `-o json` with the object it was sent, so calls go on. */
function recorder(calls: Call[]): ProcessRunner {
  return async (file, argv, options) => {
    calls.push({ file, argv: [...argv], options });
    const json = argv.includes('json') || argv.includes('yaml');
    const stdout = json ? options.input || '{"items":[]}' : file === 'kubectl' ? '' : '[]';
    return { code: 0, stdout, stderr: '' };
  };
}

function context(calls: Call[]): ScenarioContext {
  let now = 0;
  const runner = recorder(calls);
  return {
    kubectl: new Kubectl('kubectl', '/tmp/e2e/kubeconfig', runner),
    cli: cliWith('/tmp/e2e/kubeconfig', runner),
    injectorNamespace: 'sidecar-injector',
    clock: { now: () => now, sleep: async (ms) => void (now += ms) },
    say: () => undefined,
    webhook: {
      stop: async () => undefined,
      start: async () => undefined,
      rotateCertificate: async () => ({ before: 'old', after: async () => 'new' }),
    },
    appendWebhook: { url: 'https://127.0.0.1:1/append', caBundle: 'Y2E=' },
  };
}

describe('the e2e scenario module, driven through a recording kubectl stand-in', () => {
  // The stand-in is no cluster: scenarios may fail their assertions here. What is checked is every
  // process they start: argv made only of strings, the kubeconfig first, stdin passed as an option.
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: only string arguments reach kubectl, and -f - always comes with stdin`, async () => {
      const calls: Call[] = [];
      const outcome = await runScenario(context(calls), scenario);
      expect(outcome.detail).not.toMatch(/is not a string/);
      const kubectl = calls.filter((c) => c.file === 'kubectl');
      expect(kubectl.length).toBeGreaterThan(0);
      for (const call of calls) {
        const bad = call.argv.filter((arg) => typeof arg !== 'string');
        expect(bad, `${call.file} ${JSON.stringify(call.argv)}`).toEqual([]);
      }
      for (const call of kubectl) {
        expect(call.argv.slice(0, 2)).toEqual(['--kubeconfig', '/tmp/e2e/kubeconfig']);
        const stdinAt = call.argv.findIndex((arg, i) => arg === '-' && call.argv[i - 1] === '-f');
        if (stdinAt > 0) expect(call.options.input, JSON.stringify(call.argv)).toBeTruthy();
      }
    });
  }

  it('refuses a non-string argument before any process starts (the old `[object Object]` bug)', async () => {
    const calls: Call[] = [];
    const kubectl = new Kubectl('kubectl', 'kubeconfig', recorder(calls));
    const options = { input: '{}' } as unknown as string;
    await expect(kubectl.run(['apply', '-f', '-', options])).rejects.toThrow(
      'kubectl argument [object Object] is not a string',
    );
    expect(calls).toEqual([]);
  });

  it('passes stdin as an option of the process, never as an argument', async () => {
    const calls: Call[] = [];
    const kubectl = new Kubectl('kubectl', 'kubeconfig', recorder(calls));
    await kubectl.submit(['apply'], { kind: 'Namespace', metadata: { name: 'x' } });
    expect(calls[0]?.argv).toEqual(['--kubeconfig', 'kubeconfig', 'apply', '-f', '-', '-o', 'json']);
    expect(calls[0]?.options.input).toBe('{"kind":"Namespace","metadata":{"name":"x"}}');
  });
});
