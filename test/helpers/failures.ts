// What a promise that must fail failed with: the one way the tests take a rejection apart.
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';

/** What `promise` rejects with; the test fails with `unexpected` if it fulfils instead. */
export async function rejectionOf(promise: Promise<unknown>, unexpected: string): Promise<unknown> {
  return await promise.then(
    () => assert.fail(unexpected),
    (err: unknown) => err,
  );
}

/** Asserts the promise rejects with an ApplicationFailure of this type, and returns it; `what` is what ran. */
export async function failureOf(
  promise: Promise<unknown>,
  type: string,
  what = 'the activity',
): Promise<ApplicationFailure> {
  const error = await rejectionOf(promise, `expected ${type}, but ${what} succeeded`);
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  assert.equal(error.type, type, error.message);
  return error;
}
