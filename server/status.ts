// HTTP status by error class: what the user can fix (a ReverieError, here or in the engine worker, or a
// body that is not JSON) is a 4xx, a state that passes (busy, engine restarting) a 409/503, anything
// else (RangeError and TypeError included) a bug: 500. Never by name strings.
import { EngineCrashedError, EngineRestartedError, JobCancelledError } from '../host/engine.ts';
import { isExpectedFailure } from '../host/protocol.ts';
import { BusyError, NotFoundError } from '../host/validate.ts';
import { HttpError } from './body.ts';

export function statusFor(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof BusyError || err instanceof EngineRestartedError || err instanceof JobCancelledError) return 409;
  if (err instanceof EngineCrashedError) return 503;
  return isExpectedFailure(err) || err instanceof SyntaxError ? 400 : 500;
}

/** Only bugs hide their message (it may hold internals); the terminal gets the stack. */
export const isBug = (status: number): boolean => status === 500;
