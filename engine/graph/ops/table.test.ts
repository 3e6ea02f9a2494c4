// Every row of the op table, on a small graph that ends in that op: the shape rule matches what the
// forward pass returns, and the hand-written backward matches tf.grad of the op's autodiff form. A new
// op without a case here fails the first test. The cases live in tests/helpers/opCases.ts (the window's
// test runs them on webgl too).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.ts';
import { CASES, checkOp } from '../../../tests/helpers/opCases.ts';
import type { GraphNode } from '../graph.ts';
import { OPS } from './index.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('op table', () => {
  it('has a case here for every op', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(OPS).sort());
  });

  it.each(Object.keys(CASES).filter((op) => op !== 'input') as GraphNode['op'][])('%s: shape rule, and backward against tf.grad of its autodiff form', (op) => {
    const check = checkOp(op);
    expect(check.shape).toEqual(check.expectedShape);
    expect(check.relL2).toBeLessThan(1e-5);
    expect(check.leaked).toBe(0);
  });
});
