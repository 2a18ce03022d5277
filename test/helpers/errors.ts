/** Assertions on coded errors (`CodedError`, src/primitives/errors.ts) shared by tests. */
import assert from "node:assert/strict";
import { isCodedError } from "../../src/primitives/errors.ts";

/** The stable `code` of the coded error `fn` throws; fails the test when it returns, rethrows any other error. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return e.code;
    throw e;
  }
  assert.fail("expected a coded error");
}
