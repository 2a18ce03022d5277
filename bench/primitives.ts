import { fromBase64, toBase64 } from "../src/primitives/base64.ts";
import { fromHex, toHex } from "../src/primitives/hex.ts";
import { type BenchRow, measure } from "./harness.ts";

/** Encoders against Node's native Buffer codecs (C++), the practical ceiling for these operations. */
export async function primitivesBenchmarks(): Promise<BenchRow[]> {
  const data = new Uint8Array(1024).map((_, i) => (i * 31) & 0xff);
  const buffer = Buffer.from(data);
  const hex = toHex(data);
  const b64 = toBase64(data);
  const baselineName = "node Buffer";
  const row = (name: string, ours: number, baseline: number): BenchRow => ({
    name,
    ours,
    baseline,
    baselineName,
    unit: "ops/s",
    higherIsBetter: true,
    target: "informational",
  });
  return [
    row("hex encode 1 KiB", await measure(() => toHex(data)), await measure(() => buffer.toString("hex"))),
    row("hex decode 1 KiB", await measure(() => fromHex(hex)), await measure(() => Buffer.from(hex, "hex"))),
    row("base64 encode 1 KiB", await measure(() => toBase64(data)), await measure(() => buffer.toString("base64"))),
    row("base64 decode 1 KiB", await measure(() => fromBase64(b64)), await measure(() => Buffer.from(b64, "base64"))),
  ];
}
