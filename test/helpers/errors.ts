// Runs a function that must throw a StationError and returns it (any other outcome fails the test).
import { isStationError, type StationError } from '../../src/shared/errors.ts';

export function fails(fn: () => unknown): StationError {
  try {
    fn();
  } catch (e) {
    if (isStationError(e)) return e;
    throw e;
  }
  throw new Error('expected a StationError');
}
