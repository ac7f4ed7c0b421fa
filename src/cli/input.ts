import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from './context.js';

/** One manifest source as read: what to call it in messages, and its exact text. */
export interface Source {
  name: string;
  text: string;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/**
 * The sources named on the command line, in the order given: `-` is stdin, a directory is every
 * YAML or JSON file below it (sorted, so the output is stable), anything else a file.
 */
export function readSources(names: readonly string[]): Source[] {
  if (names.length === 0) throw new InputError('no input: give -f FILE, -f DIR or - for stdin');
  if (names.filter((name) => name === '-').length > 1) throw new InputError('stdin (-) can be read only once');
  return names.flatMap((name) => (name === '-' ? [{ name: '<stdin>', text: read(0, name) }] : readPath(name)));
}

function readPath(path: string): Source[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`);
  }
  if (!isDirectory) return [{ name: path, text: read(path, path) }];
  const files = manifestFilesUnder(path);
  if (files.length === 0) throw new InputError(`${path}: no .yaml, .yml or .json files in this directory`);
  return files.map((file) => ({ name: file, text: read(file, file) }));
}

function manifestFilesUnder(directory: string): string[] {
  const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  return entries.flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return manifestFilesUnder(path);
    return entry.isFile() && MANIFEST_FILE.test(entry.name) ? [path] : [];
  });
}

function read(file: string | 0, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${name}: ${(error as Error).message}`);
  }
}

/**
 * Several sources become one stream: a `---` goes between two files unless one is already
 * there, so `kubectl apply -f -` sees every document and no empty one appears.
 */
export function joinOutputs(outputs: readonly string[]): string {
  let joined = '';
  for (const output of outputs) {
    const separated = joined === '' || /(^|\n)---\s*$/.test(joined) || /^(---|%)/.test(output.trimStart());
    const eol = joined.includes('\r\n') ? '\r\n' : '\n';
    if (joined !== '' && !joined.endsWith('\n')) joined += eol;
    if (!separated) joined += `---${eol}`;
    joined += output;
  }
  return joined;
}
