import { Container } from 'kubernetes-models/v1/Container';
import { Volume } from 'kubernetes-models/v1/Volume';
import { VolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { EnvVar } from 'kubernetes-models/v1/EnvVar';
import { documentProblems } from './documents.js';
import { levelAt, podSecurityViolations, type Level, type Violation } from './pod-security.js';
import type { RenderValues, Tree } from './render.js';

/** The parts of a template, rendered or not. */
export interface PartsTree {
  initContainers: Tree[];
  sidecars: Tree[];
  volumes: Tree[];
  appContainers: { volumeMounts: Tree[]; env: Tree[] };
}

/** The pod facts a dry render uses. */
export const SAMPLE_FACTS: RenderValues['pod'] = {
  name: 'sample',
  namespace: 'default',
  serviceAccount: 'default',
  ports: '8080',
};

/** Every part, rendered with the defaults, checked against the Kubernetes schema. */
export function schemaProblems(rendered: PartsTree): string[] {
  const checks: [string, Tree[], (value: never) => { validate(): void }][] = [
    ['initContainers', rendered.initContainers, (v) => new Container(v)],
    ['sidecars', rendered.sidecars, (v) => new Container(v)],
    ['volumes', rendered.volumes, (v) => new Volume(v)],
    ['appContainers.volumeMounts', rendered.appContainers.volumeMounts, (v) => new VolumeMount(v)],
    ['appContainers.env', rendered.appContainers.env, (v) => new EnvVar(v)],
  ];
  const problems: string[] = [];
  for (const [field, items, model] of checks) {
    items.forEach((item, index) => {
      try {
        model(item as never).validate();
      } catch (error) {
        problems.push(`${field}[${index}]: ${schemaMessage(error)}`);
      }
    });
  }
  return problems;
}

function schemaMessage(error: unknown): string {
  const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
  const first = details?.[0];
  if (first)
    return `${first.instancePath?.replace(/^\//, '').replaceAll('/', '.') || '(root)'} ${first.message ?? ''}`.trim();
  return (error as Error).message;
}

/** Configuration documents (`$json` with `$schema`) checked against their schema. */
export function embeddedDocumentProblems(parts: PartsTree, values: RenderValues): string[] {
  return documentProblems(parts as unknown as Tree, values);
}

/**
 * The Pod Security level the template fits, which its declaration must match: a template that
 * says less than it needs would be rejected by the API server after us, and one that says more
 * would be skipped where it could run. A securityContext is fixed by the template, never by a
 * value, so the level cannot depend on the pod.
 */
export function podSecurityCheck(
  parts: PartsTree,
  rendered: PartsTree,
  declared: Level | undefined,
): {
  /** The template's Pod Security fields, as Template names them. */
  fields: { podSecurity: Level; podSecurityWhy: string[]; podSecurityChecks: Violation[] };
  problems: string[];
} {
  const containers = [...parts.initContainers, ...parts.sidecars];
  const problems = containers.flatMap((container, index) =>
    JSON.stringify((container as { securityContext?: unknown }).securityContext ?? {}).includes('{{')
      ? [`containers[${index}].securityContext: placeholders are not allowed here`]
      : [],
  );
  const checks = podSecurityViolations([...rendered.initContainers, ...rendered.sidecars], rendered.volumes);
  const fit = levelAt(checks);
  if (declared !== undefined && declared !== fit.level) {
    const why = fit.violations.length > 0 ? ` (not ${nextLevel(fit.level)}: ${fit.violations.join('; ')})` : '';
    problems.push(`podSecurity: declared ${declared}, but the containers fit ${fit.level}${why}`);
  }
  return { fields: { podSecurity: fit.level, podSecurityWhy: fit.violations, podSecurityChecks: checks }, problems };
}

function nextLevel(level: Level): Level {
  return level === 'privileged' ? 'baseline' : 'restricted';
}
