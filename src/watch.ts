import { watch, type FSWatcher } from 'node:fs';

export interface ChangeWatcher {
  stop(): void;
  /** Checks now; used by tests and after a watch event. */
  check(): Promise<void>;
}

export interface WatchOptions {
  /** Directories to watch; Kubernetes swaps mounted Secrets and ConfigMaps with a `..data` symlink. */
  dirs: readonly string[];
  intervalMs: number;
  /** Something that changes whenever the watched content does (the content itself, or a hash). */
  fingerprint: () => Promise<string>;
  /** Reads, validates and swaps in the new content; resolves with the fingerprint of what it applied. */
  apply: () => Promise<string>;
  onError: (error: Error) => void;
}

/**
 * Polls and watches. fs.watch alone misses the atomic symlink swap of mounted volumes on some
 * filesystems and polling alone is slow, so both trigger the same fingerprint comparison. The
 * fingerprint is recorded only after a successful apply: a transient failure is retried on the
 * next tick instead of waiting for the files to change again.
 */
export function watchForChanges(options: WatchOptions, initial: string): ChangeWatcher {
  let last = initial;
  let running: Promise<void> | undefined;
  let again = false;
  const checkOnce = async (): Promise<void> => {
    try {
      if ((await options.fingerprint()) !== last) last = await options.apply();
    } catch (error) {
      options.onError(error as Error);
    }
  };
  const check = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await checkOnce();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  const watchers = watchDirs(options.dirs, check);
  return {
    check,
    stop() {
      clearInterval(timer);
      watchers.stop();
    },
  };
}

/** A directory that cannot be watched is still polled. */
function watchDirs(dirs: readonly string[], check: () => Promise<void>): { stop(): void } {
  const watchers: FSWatcher[] = [];
  let debounce: NodeJS.Timeout | undefined;
  for (const dir of dirs) {
    try {
      const watcher = watch(dir, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void check(), 100);
      });
      watcher.on('error', () => watcher.close());
      watcher.unref();
      watchers.push(watcher);
    } catch {
      // Polled only.
    }
  }
  return {
    stop() {
      clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** What a reloadable part reports; observe.ts turns it into a log line and a metric. */
export type ReloadEvent =
  | { kind: 'certificate' | 'templates'; ok: true; fields: Record<string, unknown> }
  | { kind: 'certificate' | 'templates'; ok: false; error: Error };
