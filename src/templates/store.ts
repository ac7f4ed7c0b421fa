import type { TemplateSet, TemplateSource } from '../core/templates.js';
import { StartupError } from '../startup-error.js';
import { watchForChanges, type ChangeWatcher, type ReloadEvent } from '../watch.js';
import { fingerprintSources, loadTemplates, readTemplateSources, sourceHash } from './files.js';

/** The active template set: loaded and validated whole, swapped whole, never half-applied. */
export interface TemplateStore {
  start(): Promise<void>;
  current(): TemplateSet;
  /** Each file and its hash, for /debug/templates and the template-set hash gauge. */
  describe(): { templates: string[]; sources: { file: string; sha256: string }[] };
  /** SHA-256 over every file name and content: changes whenever the set does. */
  hash(): string;
  /** Re-reads now instead of waiting for the next poll. */
  check(): Promise<void>;
  stop(): void;
}

export interface TemplateStoreOptions {
  dir: string;
  /** DEFAULT_TEMPLATES: a set without them is refused at start and on reload. */
  required: readonly string[];
  intervalMs: number;
  report: (event: ReloadEvent) => void;
}

interface Loaded {
  set: TemplateSet;
  sources: TemplateSource[];
}

export function templateStore(options: TemplateStoreOptions): TemplateStore {
  let active: Loaded | undefined;
  let watcher: ChangeWatcher | undefined;
  const apply = async (): Promise<string> => {
    active = await loadWhole(options);
    options.report({ kind: 'templates', ok: true, fields: { templates: [...active.set.keys()] } });
    return fingerprintSources(active.sources);
  };
  const current = (): Loaded => {
    if (!active) throw new Error('the template store has not started');
    return active;
  };
  return {
    async start() {
      active = await loadWhole(options);
      // Reading is enough to notice a change; compiling waits for apply.
      const fingerprint = async (): Promise<string> => fingerprintSources(await readTemplateSources(options.dir));
      const onError = (error: Error): void => options.report({ kind: 'templates', ok: false, error });
      const watch = { dirs: [options.dir], intervalMs: options.intervalMs, fingerprint, apply, onError };
      watcher = watchForChanges(watch, fingerprintSources(active.sources));
    },
    current: () => current().set,
    describe() {
      const { set, sources } = current();
      return {
        templates: [...set.keys()].sort(),
        sources: sources.map((source) => ({ file: source.file, sha256: sourceHash(source.text) })),
      };
    },
    hash: () => sourceHash(fingerprintSources(current().sources)),
    check: () => watcher?.check() ?? Promise.resolve(),
    stop: () => watcher?.stop(),
  };
}

async function loadWhole(options: TemplateStoreOptions): Promise<Loaded> {
  const { sources, result } = await loadTemplates(options.dir).catch((error: Error) => {
    throw new StartupError([`TEMPLATES_DIR ${options.dir}: ${error.message}`]);
  });
  if (!result.ok) throw new StartupError(result.errors.map((e) => `template ${e}`));
  const missing = options.required.filter((name) => !result.templates.has(name));
  if (missing.length > 0) {
    const have = [...result.templates.keys()].join(', ');
    throw new StartupError([`DEFAULT_TEMPLATES: ${missing.join(', ')} not in ${options.dir} (have ${have})`]);
  }
  return { set: result.templates, sources };
}
