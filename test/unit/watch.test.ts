import { describe, expect, it } from 'vitest';
import { watchForChanges } from '../../src/watch.js';

describe('watchForChanges', () => {
  it('records the fingerprint only after a successful apply, so a failed reload is retried on the next check', async () => {
    let attempts = 0;
    const errors: string[] = [];
    const watcher = watchForChanges(
      {
        dirs: [],
        intervalMs: 60_000,
        fingerprint: async () => 'new',
        apply: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('transient: API not reachable');
          return 'new';
        },
        onError: (error) => errors.push(error.message),
      },
      'old',
    );
    try {
      await watcher.check();
      expect(errors).toEqual(['transient: API not reachable']);
      await watcher.check();
      expect(attempts).toBe(2);
      await watcher.check();
      expect(attempts).toBe(2);
    } finally {
      watcher.stop();
    }
  });
});
