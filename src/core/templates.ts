import { parse as parseYaml } from 'yaml';
import { TemplateFile } from './template-schema.js';
import type { Parameter } from './params.js';
import { checkedDefaults, sampleParams, type CheckedDefaults } from './param-values.js';
import { parameterTableProblems, placeholderScope } from './param-table.js';
import { placeholderProblems } from './placeholders.js';
import { templateHash, templateImages } from './template-hash.js';
import { compileRenderer, nameOf, type RenderValues, type Tree } from './render.js';
import type { Level, Violation } from './pod-security.js';
import {
  SAMPLE_FACTS,
  embeddedDocumentProblems,
  podSecurityCheck,
  schemaProblems,
  type PartsTree,
} from './template-checks.js';

/** What a template adds, rendered or not (the shape template-checks.ts and template-hash.ts read). */
export type TemplateParts = PartsTree;

export interface Template {
  name: string;
  description: string;
  order: number;
  /** Where the template's containers can run; see TemplateFile.os. */
  os: readonly ('linux' | 'windows')[];
  /** The Pod Security level its containers fit (declared in the file, checked at load). */
  podSecurity: Level;
  /** What keeps it from the next stricter level, for the message when a namespace refuses it. */
  podSecurityWhy: readonly string[];
  /** Every check its containers fail, with the policy versions that have it (enforce-version). */
  podSecurityChecks: readonly Violation[];
  parameters: readonly Parameter[];
  /** The parameters' defaults, checked once here rather than on every request. */
  defaults: CheckedDefaults;
  parts: TemplateParts;
  /** The parts rendered for one pod; compiled once per template set. */
  render: (values: RenderValues) => TemplateParts;
  /** Content hash and images, recorded in each pod's status so `status` can find outdated pods. */
  hash: string;
  images: readonly string[];
}

/** Templates by name; the set is immutable once compiled so a reload can swap it in one step. */
export type TemplateSet = ReadonlyMap<string, Template>;

export interface TemplateSource {
  file: string;
  text: string;
}

export type CompileResult = { ok: true; templates: TemplateSet } | { ok: false; errors: string[] };

/** Parses and validates a whole set; any error in any file rejects the set. */
export function compileTemplates(sources: readonly TemplateSource[]): CompileResult {
  const errors: string[] = [];
  const templates = new Map<string, Template>();
  for (const source of sources) {
    const compiled = compileTemplate(source);
    if (!compiled.ok) errors.push(...compiled.errors);
    else if (templates.has(compiled.template.name))
      errors.push(`${source.file}: name: template "${compiled.template.name}" is defined twice`);
    else templates.set(compiled.template.name, compiled.template);
  }
  errors.push(...clashesAcrossTemplates([...templates.values()]));
  if (templates.size === 0 && errors.length === 0) errors.push('no templates found (*.yaml)');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, templates };
}

type TemplateResult = { ok: true; template: Template } | { ok: false; errors: string[] };

function compileTemplate(source: TemplateSource): TemplateResult {
  const fail = (messages: string[]): TemplateResult => ({
    ok: false,
    errors: messages.map((m) => `${source.file}: ${m}`),
  });
  let document: unknown;
  try {
    document = parseYaml(source.text, { maxAliasCount: 0 });
  } catch (error) {
    return fail([`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = TemplateFile.safeParse(document);
  if (!parsed.success)
    return fail(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  const file = parsed.data;
  const parts: TemplateParts = {
    initContainers: file.initContainers as Tree[],
    sidecars: file.sidecars as Tree[],
    volumes: file.volumes as Tree[],
    appContainers: file.appContainers as TemplateParts['appContainers'],
  };
  const problems = [
    ...parameterTableProblems(file.parameters),
    ...placeholderProblems(parts as unknown as Tree, placeholderScope(file.parameters)),
  ];
  if (problems.length > 0) return fail(problems);
  // Compiled once: the dry render below and every request use the same renderer.
  const renderParts = compileRenderer(parts as unknown as Tree) as unknown as Template['render'];
  const values = { pod: SAMPLE_FACTS, params: sampleParams(file.parameters) };
  const rendered = renderParts(values);
  const security = podSecurityCheck(parts, rendered, file.podSecurity);
  problems.push(...schemaProblems(rendered), ...embeddedDocumentProblems(parts, values), ...security.problems);
  if (problems.length > 0) return fail(problems);
  const { name, description, order, os, parameters } = file;
  const identity = { hash: templateHash({ name, order, parameters, parts }), images: templateImages({ parts }) };
  const defaults = checkedDefaults(parameters);
  const template = { name, description, order, os, ...security.fields, parameters, defaults, parts };
  return { ok: true, template: { ...template, render: renderParts, ...identity } };
}

/** Templates are combined freely, so two of them must never add the same name. */
function clashesAcrossTemplates(templates: readonly Template[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const template of templates) {
    const { initContainers, sidecars, volumes } = template.parts;
    const names = [
      ...[...initContainers, ...sidecars].map((c) => `container ${nameOf(c)}`),
      ...volumes.map((v) => `volume ${nameOf(v)}`),
    ];
    for (const name of names) {
      const owner = owners.get(name);
      if (owner === template.name) problems.push(`template ${owner} adds ${name} twice`);
      else if (owner !== undefined) problems.push(`templates ${owner} and ${template.name} both add ${name}`);
      owners.set(name, template.name);
    }
  }
  return problems;
}
