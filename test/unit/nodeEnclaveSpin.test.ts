/** `enclaveSpinMicros`: how long the host and enclave threads spin before sleeping. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_SPIN_MICROS } from "../../src/enclave-api/index.ts";
import { enclaveSpinMicros, SPARE_CORES_SPIN_MICROS } from "../../src/node/enclave.ts";
import { isCodedError } from "../../src/primitives/errors.ts";

test("by default: the long spin only with 4 or more cores", () => {
  assert.equal(enclaveSpinMicros({}, 2), DEFAULT_SPIN_MICROS);
  assert.equal(enclaveSpinMicros({}, 3), DEFAULT_SPIN_MICROS);
  assert.equal(enclaveSpinMicros({}, 4), SPARE_CORES_SPIN_MICROS);
  assert.equal(enclaveSpinMicros({ SCRT_ENCLAVE_SPIN_US: "" }, 8), SPARE_CORES_SPIN_MICROS);
  assert.ok(SPARE_CORES_SPIN_MICROS > DEFAULT_SPIN_MICROS);
});

test("SCRT_ENCLAVE_SPIN_US overrides it; anything but 0…1000000 microseconds is a coded error", () => {
  assert.equal(enclaveSpinMicros({ SCRT_ENCLAVE_SPIN_US: "0" }, 8), 0);
  assert.equal(enclaveSpinMicros({ SCRT_ENCLAVE_SPIN_US: "750" }, 2), 750);
  assert.equal(enclaveSpinMicros({ SCRT_ENCLAVE_SPIN_US: "1000000" }, 2), 1_000_000);
  for (const bad of ["-1", "1.5", "1e3", "abc", " 5", "1000001"]) {
    assert.throws(
      () => enclaveSpinMicros({ SCRT_ENCLAVE_SPIN_US: bad }, 2),
      (e: unknown) => isCodedError(e) && e.code === "NODE_INVALID_OPTIONS",
      bad,
    );
  }
});
