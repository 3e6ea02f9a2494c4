// Bundled by tests/e2e/windowGradient.test.ts into one script for the page: the op table's gradient
// checks (tests/helpers/opCases.ts) on the backend the window's worker would use.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from '../../../renderer/gpu/backends.ts';
import type { WindowBackend } from '../../../engine/windowDevice/protocol.ts';
import { CASES, checkOp, type OpCheck } from '../../helpers/opCases.ts';
import type { GraphNode } from '../../../engine/graph/graph.ts';

async function runOpChecks(backend: WindowBackend): Promise<{ backend: string; adapter: string; checks: OpCheck[] }> {
  const adapter = await useBackend(backend);
  const ops = Object.keys(CASES).filter((op) => op !== 'input') as GraphNode['op'][];
  const checks = ops.map((op) => checkOp(op));
  return { backend: tf.getBackend(), adapter: adapter.name, checks };
}

(globalThis as unknown as { runOpChecks: typeof runOpChecks }).runOpChecks = runOpChecks;
