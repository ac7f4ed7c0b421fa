import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pods.js';
import { COMMANDS, COMMON, CORPUS, cli } from './run-cli.js';

/** The shell habits users bring from kubectl and linkerd: stdin, directories, --help, clean output. */
const TREE = join(ROOT, 'test/cli/tree');
const read = (file: string): string => readFileSync(join(CORPUS, file), 'utf8');

describe('input from stdin, files and directories', () => {
  it('inject - reads stdin and writes stdout, as in kubectl get -o yaml | inject - | kubectl apply -f -', async () => {
    const fromStdin = await cli(['inject', '-', ...COMMON], read('kubectl-get.yaml'));
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe(read('kubectl-get.expected.yaml'));
    expect((await cli(['inject', '-f', '-', ...COMMON], read('kubectl-get.yaml'))).stdout).toBe(fromStdin.stdout);
  });

  it('inject -f DIR reads every YAML and JSON file below it in name order, one stream out', async () => {
    const result = await cli(['inject', '-f', TREE, ...COMMON]);
    expect(result.stderr).toBe('');
    const one = async (file: string): Promise<string> =>
      (await cli(['inject', '-f', join(TREE, file), ...COMMON])).stdout;
    expect(result.stdout).toBe(
      [await one('a-pod.yaml'), await one('nested/b-pod.json'), await one('nested/c-deployment.yml')].join('---\n'),
    );
    const again = await cli(['inject', '-', ...COMMON], result.stdout);
    expect(again.stdout).toBe(result.stdout);
  });

  it('explain takes a positional file like inject', async () => {
    const result = await cli(['explain', join(CORPUS, 'multi-document.yaml'), ...COMMON]);
    expect(result.stdout).toBe('Pod/tool skip pod_opted_out -\nPod/worker inject namespace_enabled proxy\n');
  });

  it('says which path is missing, and that stdin is read once', async () => {
    expect(await cli(['inject', '-f', 'no/such/dir', ...COMMON])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^sidecar-injector inject: no\/such\/dir: ENOENT/),
    });
    expect((await cli(['inject', '-', '-f', '-', ...COMMON], '')).stderr).toContain('stdin (-) can be read only once');
    expect((await cli(['inject', ...COMMON])).stderr).toContain('no input: give -f FILE, -f DIR or - for stdin');
  });
});

describe('output keeps what it does not change', () => {
  it('prints documents without a pod to change byte for byte, odd spacing, flow style and ... included', async () => {
    const result = await cli(['inject', '-f', join(CORPUS, 'untouched.yaml'), ...COMMON]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(read('untouched.yaml'));
  });

  it('keeps CRLF line endings on changed and unchanged documents alike', async () => {
    const result = await cli(['inject', '-f', join(CORPUS, 'crlf.yaml'), ...COMMON]);
    expect(result.stdout).toContain('sidecar-proxy');
    expect(result.stdout.split('\r\n').every((line) => !line.includes('\n'))).toBe(true);
    expect(result.stdout.endsWith('    - port: 80\r\n')).toBe(true);
  });

  it('does not grow a file that ends with ---, on the first pass or any later one', async () => {
    const first = (await cli(['inject', '-f', join(CORPUS, 'trailing-separator.yaml'), ...COMMON])).stdout;
    expect(first.endsWith('\n---\n')).toBe(true);
    expect(first.endsWith('\n\n---\n')).toBe(false);
    expect((await cli(['inject', '-', ...COMMON], first)).stdout).toBe(first);
  });

  it('keeps the author’s list indentation and comments in a changed document', async () => {
    const result = (await cli(['inject', '-f', join(CORPUS, 'kubectl-get.yaml'), ...COMMON])).stdout;
    expect(result).toContain('      containers:\n      - image: nginx:1.27\n');
    expect((await cli(['inject', '-f', join(CORPUS, 'deployment.yaml'), ...COMMON])).stdout).toContain(
      '        - name: web # the app itself\n',
    );
  });
});

describe('--help', () => {
  for (const command of COMMANDS) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      const result = await cli([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: sidecar-injector ${command}`));
      expect((await cli([command, '-h'])).stdout).toBe(result.stdout);
    });
  }

  it('lists every command in the top-level help', async () => {
    const help = (await cli(['--help'])).stdout;
    for (const command of COMMANDS) expect(help).toContain(`  ${command} `);
  });
});
