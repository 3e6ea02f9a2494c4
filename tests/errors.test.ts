// One error family: the engine's user-facing failures extend ReverieError (with a hint where there is
// one), and the host maps failures by class, also after they crossed the engine worker's thread.
import { describe, expect, it } from 'vitest';
import { ReverieError, ImageTooSmallError, ModelLoadError, UnknownLayerError } from '../engine/shared/errors.ts';
import { RecipeError } from '../engine/recipe/recipe.ts';
import { KeyframeError } from '../engine/recipe/keyframes.ts';
import { ClassObjectiveError } from '../engine/model/classes.ts';
import { ModelManagerError } from '../engine/model/files/manager.ts';
import { PresetError } from '../engine/settings/presets.ts';
import { SettingsError } from '../engine/settings/jsonFile.ts';
import { ProjectError } from '../engine/project/errors.ts';
import { BackendUnavailableError } from '../engine/backend.ts';
import { ChannelListError } from '../engine/inspect/channelList.ts';
import { FeatureRecipeError } from '../engine/inspect/recipe.ts';
import { NoKernelsError } from '../engine/inspect/kernels.ts';
import { UnsupportedImageError } from '../engine/io/errors.ts';
import { FfmpegNotFoundError } from '../engine/video/errors.ts';
import { BadRequestError, BusyError, NotFoundError } from '../host/validate.ts';
import { errorInfo, isExpectedFailure, JobFailedError, workerErrorInfo } from '../host/protocol.ts';
import { curatedRecipe } from '../engine/model/curated.ts';
import { EngineCrashedError, EngineRestartedError, JobCancelledError } from '../host/engine.ts';
import { HttpError } from '../server/body.ts';
import { isBug, statusFor } from '../server/status.ts';

describe('error family', () => {
  it('every user-facing error class extends ReverieError', () => {
    const classes = [ImageTooSmallError, ModelLoadError, UnknownLayerError, RecipeError, KeyframeError, ClassObjectiveError, ModelManagerError, PresetError, SettingsError, ProjectError, BackendUnavailableError, ChannelListError, FeatureRecipeError, NoKernelsError, UnsupportedImageError, FfmpegNotFoundError, BadRequestError, BusyError, NotFoundError, EngineCrashedError, EngineRestartedError, JobCancelledError];
    for (const cls of classes) expect(cls.prototype, cls.name).toBeInstanceOf(ReverieError);
  });

  it('a hint travels with the error, and into what hosts send', () => {
    const err = new UnknownLayerError('mixed33', ['mixed3']);
    expect(err.message).toMatch(/Did you mean: mixed3\?/);
    expect(err.hint).toMatch(/layer/);
    expect(errorInfo(err)).toEqual({ name: 'UnknownLayerError', message: err.message, hint: err.hint });
    expect(workerErrorInfo(err)).toEqual({ name: 'UnknownLayerError', message: err.message, hint: err.hint, expected: true });
  });

  it('maps by class, not by name: a plain Error named like a user error is still a bug', () => {
    const impostor = Object.assign(new Error('x'), { name: 'RecipeError' });
    expect(isExpectedFailure(impostor)).toBe(false);
    expect(errorInfo(impostor)).toEqual({ name: 'RecipeError', message: 'x' });
    expect(isExpectedFailure(new RecipeError('steps must be a number'))).toBe(true);
  });

  it('keeps the distinction across the engine worker (JobFailedError from an ErrorInfo)', () => {
    const crossed = new JobFailedError(workerErrorInfo(new ImageTooSmallError('too small')));
    expect(crossed.name).toBe('ImageTooSmallError');
    expect(isExpectedFailure(crossed)).toBe(true);
    expect(isExpectedFailure(new JobFailedError(workerErrorInfo(new TypeError('undefined is not a function'))))).toBe(false);
    expect(errorInfo(crossed)).toEqual({ name: 'ImageTooSmallError', message: 'too small' });
  });

  it('gives each class its HTTP status, and only bugs hide their message', () => {
    const cases: Array<[unknown, number]> = [
      [new RecipeError('steps must be a number'), 400],
      [new SyntaxError('Unexpected token'), 400],
      [new NotFoundError('no such project'), 404],
      [new BusyError('a job is running'), 409],
      [new EngineRestartedError('restarted with another model'), 409],
      [new JobCancelledError('cancelled'), 409],
      [new EngineCrashedError('The engine stopped unexpectedly (out of memory).'), 503],
      [new HttpError(415, 'json only'), 415],
      [new TypeError('undefined is not a function'), 500],
      [Object.assign(new Error('x'), { name: 'BusyError' }), 500],
      [new JobFailedError(workerErrorInfo(new ImageTooSmallError('too small'))), 400],
    ];
    expect(cases.map(([err]) => statusFor(err))).toEqual(cases.map(([, status]) => status));
    expect([400, 409, 503].map(isBug)).toEqual([false, false, false]);
    expect(isBug(500)).toBe(true);
    expect(new EngineCrashedError('stopped').hint).toMatch(/again/);
  });

  it('refuses an unknown curated recipe with a RecipeError, not a RangeError', () => {
    expect(() => curatedRecipe('inception_v3', 'nope')).toThrow(RecipeError);
  });
});
