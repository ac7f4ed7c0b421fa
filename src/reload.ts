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
  onChange: () => Promise<void>;
  onError: (error: Error) => void;
}

/**
 * Polls and watches. fs.watch alone misses the atomic symlink swap of mounted volumes on some
 * filesystems and polling alone is slow, so both trigger the same fingerprint comparison.
 */
export function watchForChanges(options: WatchOptions, initial: string): ChangeWatcher {
  let last = initial;
  let running: Promise<void> | undefined;
  let again = false;
  const check = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          const next = await options.fingerprint();
          if (next !== last) {
            last = next;
            await options.onChange();
          }
        } catch (error) {
          options.onError(error as Error);
        }
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  const watchers: FSWatcher[] = [];
  let debounce: NodeJS.Timeout | undefined;
  for (const dir of options.dirs) {
    try {
      const watcher = watch(dir, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void check(), 100);
      });
      watcher.on('error', () => watcher.close());
      watcher.unref();
      watchers.push(watcher);
    } catch {
      // A directory that cannot be watched is still polled.
    }
  }
  return {
    check,
    stop() {
      clearInterval(timer);
      clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
    },
  };
}
