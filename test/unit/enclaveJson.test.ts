/**
 * The serde_json model behind `J(v)` (crypto.md §5): parsing like `serde_json::from_slice::<Value>`,
 * compact serialization with keys sorted by code point, serde's escaping and ryu float formatting,
 * and the quote trimming of `encrypt_serializable`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  compareCodePoints,
  errorText,
  parseSerdeJson,
  SerdeNumber,
  serdeJsonStringify,
  serdeJsonString,
  type SerdeValue,
} from "../../src/enclave/outputs.ts";
import { isEnclaveError } from "../../src/enclave/errors.ts";

const canon = (text: string) => serdeJsonStringify(parseSerdeJson(text));

describe("serde_json serialization", () => {
  it("sorts object keys at every level and drops whitespace", () => {
    assert.equal(
      canon('{ "b" : 1, "a" : [ true, null, "x", {"z":{},"y":[]} ] }'),
      '{"a":[true,null,"x",{"y":[],"z":{}}],"b":1}',
    );
    // The secretjs test expects parse_err with "msg" before "target".
    assert.equal(errorText({ parse_err: { target: "T", msg: "bad" } }), '{"parse_err":{"msg":"bad","target":"T"}}');
  });

  it("sorts keys by code point (UTF-8 byte order), not by UTF-16 unit", () => {
    assert.equal(canon('{"\u{1F600}":1,"\uFF01":2,"a":3}'), '{"a":3,"\uFF01":2,"\u{1F600}":1}');
    assert.ok(compareCodePoints("\uFF01", "\u{1F600}") < 0);
    assert.ok("\uFF01" > "\u{1F600}", "plain JS comparison would get this wrong");
  });

  it("keeps the last of duplicate keys, and handles __proto__ as data", () => {
    assert.equal(canon('{"a":1,"a":2}'), '{"a":2}');
    assert.equal(canon('{"__proto__":{"x":1}}'), '{"__proto__":{"x":1}}');
  });

  it("escapes like serde_json", () => {
    assert.equal(
      serdeJsonString('q"b\\s/\b\f\n\r\t\u0001\u001f\u007fé'),
      '"q\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u007fé"',
    );
    assert.equal(canon('"\\u00e9\\/\\ud83d\\ude00"'), '"é/\u{1F600}"');
  });

  it("formats numbers as serde_json (u64, i64, ryu f64)", () => {
    const cases: [string, string][] = [
      ["0", "0"],
      ["-0", "-0.0"],
      ["1.0", "1.0"],
      ["1e2", "100.0"],
      ["0.1", "0.1"],
      ["123.456", "123.456"],
      ["1e15", "1000000000000000.0"],
      ["1e16", "1e16"],
      ["1e21", "1e21"],
      ["1.5e300", "1.5e300"],
      ["1e-7", "1e-7"],
      ["0.00001", "0.00001"],
      ["0.000001", "1e-6"],
      ["0.0001234", "0.0001234"],
      ["-2.5E-10", "-2.5e-10"],
      ["12345678901234567890e-3", "1.2345678901234568e16"],
      ["18446744073709551615", "18446744073709551615"],
      ["18446744073709551616", "1.8446744073709552e19"],
      ["-9223372036854775808", "-9223372036854775808"],
      ["-9223372036854775809", "-9.223372036854776e18"],
      ["5e-324", "5e-324"],
      ["1e-400", "0.0"],
    ];
    for (const [input, expected] of cases) assert.equal(canon(input), expected, input);
  });

  it("takes JS numbers as integers when integral, else f64", () => {
    assert.equal(
      serdeJsonStringify({ a: 7, b: 0.5, c: -3, d: 2 ** 63, e: 1e20, f: -0 }),
      '{"a":7,"b":0.5,"c":-3,"d":9223372036854775808,"e":1e20,"f":-0.0}',
    );
    assert.equal(serdeJsonStringify(10n ** 19n), "10000000000000000000");
    assert.equal(serdeJsonStringify(SerdeNumber.f64(3)), "3.0");
    assert.throws(
      () => serdeJsonStringify(1n << 64n),
      (e) => isEnclaveError(e, "FAILED_TO_SERIALIZE"),
    );
    assert.equal(serdeJsonStringify(Number.NaN), "null");
  });
});

describe("serde_json parsing refusals", () => {
  const bad = [
    "",
    " ",
    "01",
    "-01",
    "1.",
    ".5",
    "+1",
    "1e",
    "1e+",
    "-",
    "[1,]",
    "[1 2]",
    '{"a":1,}',
    '{"a" 1}',
    "{a:1}",
    "'a'",
    "NaN",
    "Infinity",
    "1e400",
    "-1e400",
    "nul",
    "truex",
    "1 x",
    '"\u0001"',
    '"\\x"',
    '"\\u12"',
    '"\\ud800"',
    '"\\ud800\\u0041"',
    '"\\udc00"',
    '"abc',
    "\uFEFF{}",
  ];
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseSerdeJson(text),
        (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
      );
    });
  }

  it("refuses invalid UTF-8 and lone surrogates in the source", () => {
    assert.throws(
      () => parseSerdeJson(Uint8Array.of(0x22, 0xff, 0x22)),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
    assert.throws(
      () => parseSerdeJson('"\ud800"'),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
    assert.throws(
      () => serdeJsonString("\udc00"),
      (e) => isEnclaveError(e, "FAILED_TO_SERIALIZE"),
    );
  });

  it("accepts 127 levels of nesting and refuses 128 (serde's recursion limit)", () => {
    assert.equal(canon("[".repeat(127) + "]".repeat(127)), "[".repeat(127) + "]".repeat(127));
    assert.throws(
      () => parseSerdeJson("[".repeat(128) + "]".repeat(128)),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
    assert.throws(
      () => parseSerdeJson('{"a":'.repeat(128) + "1" + "}".repeat(128)),
      (e) => isEnclaveError(e, "FAILED_TO_DESERIALIZE"),
    );
  });

  it("accepts surrounding whitespace and bytes input", () => {
    assert.equal(serdeJsonStringify(parseSerdeJson(new TextEncoder().encode(' \t\n\r{"a":[1]} \n'))), '{"a":[1]}');
  });
});

describe("J(v)", () => {
  it("strips all leading and trailing quotes", () => {
    assert.equal(errorText("Generic error: boom"), "Generic error: boom");
    assert.equal(errorText('he said "hi"'), 'he said \\"hi\\');
    assert.equal(errorText('"quoted"'), '\\"quoted\\');
    assert.equal(errorText(""), "");
    assert.equal(errorText({ not_found: { kind: "x" } }), '{"not_found":{"kind":"x"}}');
    assert.equal(errorText(null), "null");
    assert.equal(errorText(["a"]), '["a"]');
  });
});

describe("properties", () => {
  it("round-trips JSON values: same value, sorted keys, idempotent", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const ours = canon(text);
        assert.deepEqual(JSON.parse(ours), JSON.parse(text));
        assert.equal(canon(ours), ours);
        const sortedCheck = (x: unknown): void => {
          if (x !== null && typeof x === "object" && !Array.isArray(x)) {
            const keys = Object.keys(x as object);
            const sorted = [...keys].sort(compareCodePoints);
            // Object.keys puts integer-like keys first, so compare the key sets only there.
            assert.deepEqual([...keys].sort(), [...sorted].sort());
            for (const k of keys) sortedCheck((x as Record<string, unknown>)[k]);
          } else if (Array.isArray(x)) x.forEach(sortedCheck);
        };
        sortedCheck(JSON.parse(ours));
      }),
      { numRuns: 300 },
    );
  });

  it("serializes keys in code-point order", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: "grapheme", maxLength: 4 }), { maxLength: 8 }), (keys) => {
        const obj = new Map<string, SerdeValue>(keys.map((k) => [k, 1]));
        const text = serdeJsonStringify(obj);
        const expected = [...keys].sort(compareCodePoints).map((k) => `${serdeJsonString(k)}:1`);
        assert.equal(text, `{${expected.join(",")}}`);
        const bytesOrder = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.deepEqual([...keys].sort(compareCodePoints), bytesOrder);
      }),
    );
  });
});
