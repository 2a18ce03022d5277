/** The memoized bech32 account-address codec answers and fails exactly as the plain one. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeAccountAddress,
  encodeAccountAddress,
  parseAccountAddressCached,
} from "../../src/app/auth/addressCache.ts";
import { decodeAddress, encodeAddress, parseAccountAddress } from "../../src/primitives/bech32.ts";

function outcome(f: () => unknown): unknown {
  try {
    const v = f();
    return { ok: v instanceof Uint8Array ? Array.from(v) : v };
  } catch (e) {
    return { error: e instanceof Error ? `${(e as { code?: string }).code ?? ""} ${e.message}` : String(e) };
  }
}

describe("app address cache", () => {
  const addresses = [
    new Uint8Array(20).fill(7),
    new Uint8Array(32).fill(9),
    Uint8Array.from({ length: 20 }, (_, i) => i),
  ];

  it("encodes as encodeAddress, first and repeated calls", () => {
    for (let round = 0; round < 2; round++) {
      for (const a of addresses) assert.equal(encodeAccountAddress(a), encodeAddress(a));
    }
  });

  it("decodes and parses as the plain functions, errors included, twice over", () => {
    const texts = [
      ...addresses.map((a) => encodeAddress(a)),
      encodeAddress(addresses[0]!).toUpperCase(),
      encodeAddress(addresses[0]!, "cosmos"),
      encodeAddress(new Uint8Array(5).fill(1)),
      "secret1notbech32",
      "",
    ];
    for (let round = 0; round < 2; round++) {
      for (const t of texts) {
        assert.deepEqual(
          outcome(() => decodeAccountAddress(t)),
          outcome(() => decodeAddress(t)),
          t,
        );
        assert.deepEqual(
          outcome(() => parseAccountAddressCached(t)),
          outcome(() => parseAccountAddress(t)),
          t,
        );
      }
    }
  });

  it("hands out fresh arrays: changing one does not change the next answer", () => {
    const t = encodeAddress(addresses[2]!);
    const first = parseAccountAddressCached(t);
    first.fill(0);
    assert.deepEqual(parseAccountAddressCached(t), addresses[2]);
    const decoded = decodeAccountAddress(t);
    decoded.fill(0);
    assert.deepEqual(decodeAccountAddress(t), addresses[2]);
  });
});
