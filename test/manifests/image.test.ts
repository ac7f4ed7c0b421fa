import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, type Json } from '../helpers/pods.js';
import { expand, inContext, labels, readDockerfile, type Stage } from './dockerfile.js';

/**
 * No Docker engine runs here, so the image is checked for what can be checked without building it:
 * the Dockerfile's structure, the build context, the dependency closure it copies, and the
 * ENTRYPOINT run on Node 24 exactly as the image runs it. What a real build would add (the base
 * digests resolve, the layers assemble, the process starts in the distroless filesystem) is left
 * to the image workflow.
 */
const dockerfile = readDockerfile();
const runtime = dockerfile.stages.at(-1) as Stage;
const pinned = /^[a-z0-9.-]+(\/[a-z0-9._-]+)*:[\w.-]+@sha256:[0-9a-f]{64}$/;
const instructions = (keyword: string): string[] =>
  runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const execForm = (keyword: string): string[] => JSON.parse(instructions(keyword)[0] ?? 'null') as string[];

describe('the image (Dockerfile, checked without a Docker engine)', () => {
  it('pins every base image by tag and digest', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) expect(expand(stage.from, dockerfile.globalArgs)).toMatch(pinned);
  });

  it('runs on distroless Node 24 as a non-root user, with no RUN in the runtime stage (it has no shell)', () => {
    expect(expand(runtime.from, dockerfile.globalArgs)).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot@/);
    expect(instructions('RUN')).toEqual([]);
    expect(instructions('SHELL')).toEqual([]);
    const [user, group] = (instructions('USER').at(-1) ?? '').split(':').map(Number);
    expect(user).toBeGreaterThan(0);
    expect(group).toBeGreaterThan(0);
    const deployment = parse(readFileSync(join(ROOT, 'manifests/base/deployment.yaml'), 'utf8')) as Json;
    const podSecurity = ((deployment['spec'] as Json)['template'] as Json)['spec'] as Json;
    expect(podSecurity['securityContext']).toMatchObject({ runAsNonRoot: true, runAsUser: user, runAsGroup: group });
  });

  it('builds on the builder platform only, so the arm64 image needs no emulation', () => {
    for (const stage of dockerfile.stages.slice(0, -1)) expect(stage.platform).toBe('$BUILDPLATFORM');
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, Json>;
    };
    const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry['dev'] !== true);
    expect(production.length).toBeGreaterThan(10);
    const native = production.filter(([, e]) => e['hasInstallScript'] || e['gypfile'] || e['os'] || e['cpu']);
    expect(native.map(([path]) => path)).toEqual([]);
  });

  it('carries the OCI labels, the base image ones matching the pinned base', () => {
    const runtimeImage = dockerfile.globalArgs['RUNTIME_IMAGE'] ?? '';
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Json;
    const found = labels(runtime);
    expect(found).toMatchObject({
      'org.opencontainers.image.title': packageJson['name'],
      'org.opencontainers.image.description': packageJson['description'],
      'org.opencontainers.image.licenses': packageJson['license'],
      'org.opencontainers.image.version': '${VERSION}',
      'org.opencontainers.image.revision': '${REVISION}',
      'org.opencontainers.image.created': '${CREATED}',
      'org.opencontainers.image.base.name': runtimeImage.split('@')[0],
      'org.opencontainers.image.base.digest': runtimeImage.split('@')[1],
    });
  });

  it('sends only what it copies to the builder: never certs/, node_modules, dist or .git', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    const sources = dockerfile.stages
      .flatMap((stage) => stage.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(inContext(ignore, source), source).toBe(true);
      expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
    for (const secret of ['certs/tls.key', 'certs/ca.key', 'node_modules', 'dist/cli/main.js', '.git', 'test'])
      expect(inContext(ignore, secret), secret).toBe(false);
  });

  it('starts its ENTRYPOINT on Node 24 exactly as the image does', async () => {
    const [binary, ...args] = execForm('ENTRYPOINT');
    expect(binary).toBe('/nodejs/bin/node');
    // The idle collection (src/http/idle-collection.ts) is a no-op without it.
    expect(args).toContain('--expose-gc');
    expect(execForm('CMD')).toEqual(['serve']);
    const run = promisify(execFile);
    const node24 = (await run('npx', ['-y', 'node@24', '-p', 'process.execPath'])).stdout.trim();
    expect((await run(node24, ['--version'])).stdout).toMatch(/^v24\./);
    const help = await run(node24, [...args, '--help'], { cwd: ROOT, env: { NODE_ENV: 'production' } });
    expect(help.stdout).toContain('serve [--dev]');
  });
});

describe('the image workflow (.github/workflows/image.yml)', () => {
  const workflow = parse(readFileSync(join(ROOT, '.github/workflows/image.yml'), 'utf8')) as Json;
  const steps = Object.values(workflow['jobs'] as Record<string, Json>).flatMap((job) => job['steps'] as Json[]);
  const build = steps.find((step) => String(step['uses']).startsWith('docker/build-push-action@'));

  it('builds amd64 and arm64 with buildx, from this Dockerfile', () => {
    expect(steps.some((step) => String(step['uses']).startsWith('docker/setup-buildx-action@'))).toBe(true);
    const inputs = build?.['with'] as Json;
    expect(String(inputs['platforms']).split(',').sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(inputs['context']).toBe('.');
  });

  it('passes exactly the build arguments the runtime stage declares', () => {
    const passed = String((build?.['with'] as Json)['build-args'])
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0]?.trim());
    const declared = instructions('ARG').map((arg) => arg.split('=')[0]);
    expect(passed.sort()).toEqual(declared.sort());
  });
});
