import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/pods.js';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  platform?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Enough of the Dockerfile grammar for this file: comments, `\` continuations, one instruction a line. */
export function readDockerfile(path = join(ROOT, 'Dockerfile')): Dockerfile {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Dockerfile = { globalArgs: {}, stages: [] };
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') result.stages.push(parseFrom(args));
    else if (result.stages.length === 0 && upper === 'ARG') Object.assign(result.globalArgs, parseArg(args));
    else result.stages.at(-1)?.instructions.push({ keyword: upper, args });
  }
  return result;
}

function parseFrom(args: string): Stage {
  const platform = /--platform=(\S+)/.exec(args)?.[1];
  const from = args.replace(/--platform=\S+\s*/, '').split(/\s+/)[0] ?? '';
  return { from, ...(platform ? { platform } : {}), instructions: [] };
}

function parseArg(args: string): Record<string, string> {
  const [name = '', value = ''] = args.split('=', 2);
  return { [name]: value };
}

/** `${NAME}` and `$NAME` replaced by the global ARG defaults. */
export function expand(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => args[name] ?? whole);
}

/** LABEL key="value" pairs (quoted values, several per instruction). */
export function labels(stage: Stage): Record<string, string> {
  const pairs = stage.instructions
    .filter((i) => i.keyword === 'LABEL')
    .flatMap((i) => [...i.args.matchAll(/([\w.-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  return Object.fromEntries(pairs);
}

/** A .dockerignore of the form `*` then `!path` lines: is `path` sent to the builder? */
export function inContext(dockerignore: string, path: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (rules[0] !== '*' || rules.slice(1).some((rule) => !rule.startsWith('!'))) {
    throw new Error('.dockerignore is no longer an allowlist (`*`, then `!path` lines): update this check');
  }
  const allowed = rules.slice(1).map((rule) => rule.slice(1).replace(/\/$/, ''));
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  return allowed.some((entry) => clean === entry || clean.startsWith(`${entry}/`));
}
