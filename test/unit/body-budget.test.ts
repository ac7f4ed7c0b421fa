import { describe, expect, it } from 'vitest';
import { bodyBudget } from '../../src/http/body-budget.js';

const MiB = 1024 * 1024;
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('bodyBudget: the bytes of review bodies held at once', () => {
  it('grants at once while the reservations fit, and frees a reservation exactly once', async () => {
    const budget = bodyBudget(10 * MiB);
    const a = await budget.reserve(4 * MiB, 1000);
    const b = await budget.reserve(6 * MiB, 1000);
    expect(budget.state()).toEqual({ reserved: 10 * MiB, waiting: 0 });
    a?.();
    a?.();
    expect(budget.state().reserved).toBe(6 * MiB);
    b?.();
    expect(budget.state().reserved).toBe(0);
  });

  it('holds a request that does not fit until bytes are released, then grants it', async () => {
    const budget = bodyBudget(10 * MiB);
    const big = await budget.reserve(9 * MiB, 1000);
    let granted: (() => void) | undefined;
    const pending = budget.reserve(2 * MiB, 1000).then((r) => (granted = r));
    await settle();
    expect(granted).toBeUndefined();
    expect(budget.state().waiting).toBe(1);
    big?.();
    await pending;
    expect(granted).toBeTypeOf('function');
    expect(budget.state()).toEqual({ reserved: 2 * MiB, waiting: 0 });
  });

  it('lets the smallest waiting request go first: an ordinary pod overtakes queued large bodies', async () => {
    const budget = bodyBudget(10 * MiB);
    const first = await budget.reserve(10 * MiB, 1000);
    const order: string[] = [];
    const large = budget.reserve(9 * MiB, 5000).then((r) => (order.push('large'), r));
    const small = budget.reserve(6 * 1024, 5000).then((r) => (order.push('small'), r));
    first?.();
    (await small)?.();
    (await large)?.();
    expect(order).toEqual(['small', 'large']);
  });

  it('answers undefined when the wait ends first, and forgets the waiter', async () => {
    const budget = bodyBudget(1 * MiB);
    const held = await budget.reserve(1 * MiB, 1000);
    expect(await budget.reserve(512 * 1024, 20)).toBeUndefined();
    expect(budget.state()).toEqual({ reserved: 1 * MiB, waiting: 0 });
    held?.();
    expect(await budget.reserve(512 * 1024, 20)).toBeTypeOf('function');
  });

  it('runs a body larger than the whole budget alone instead of never', async () => {
    const budget = bodyBudget(1 * MiB);
    const huge = await budget.reserve(50 * MiB, 20);
    expect(huge).toBeTypeOf('function');
    expect(await budget.reserve(1, 20)).toBeUndefined();
    huge?.();
    expect(budget.state().reserved).toBe(0);
  });
});
