/**
 * A small benchmark harness. Every row compares our figure with a baseline measured in the same run on
 * the same machine, so the ratio means something even when the machine is slow or busy.
 */
import { performance } from "node:perf_hooks";

export interface BenchRow {
  /** What is measured, e.g. "AES-SIV seal 1 KiB". */
  readonly name: string;
  /** Our figure. */
  readonly ours: number;
  /** The baseline's figure, measured in the same run. */
  readonly baseline: number;
  /** Who the baseline is, e.g. "miscreant 0.3.2". */
  readonly baselineName: string;
  /** Unit of both figures, e.g. "ops/s", "MB/s", "ms". */
  readonly unit: string;
  /** True when bigger figures are better (throughput); false for latencies and sizes. */
  readonly higherIsBetter: boolean;
  /** The target, in words, e.g. "≥ 10× baseline". */
  readonly target?: string;
  /** Whether the target is met, when the row can judge it. */
  readonly targetMet?: boolean;
}

export interface MeasureOptions {
  /** Run the body for at least this long after warm-up (default 300 ms). */
  readonly minMs?: number;
  /** Warm-up time (default 100 ms). */
  readonly warmupMs?: number;
}

/**
 * Calls `fn` repeatedly and returns operations per second. `fn` may return a promise; it is awaited.
 * Work is batched so the timer is read rarely compared with the work measured.
 */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<number> {
  const minMs = options.minMs ?? 300;
  const warmupMs = options.warmupMs ?? 100;
  let sink: unknown;
  const runFor = async (ms: number): Promise<{ ops: number; elapsed: number }> => {
    let ops = 0;
    let batch = 1;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < batch; i++) {
        const out = fn();
        sink = out instanceof Promise ? await out : out;
      }
      ops += batch;
      elapsed = performance.now() - start;
      if (elapsed < ms / 10) batch *= 2;
    }
    return { ops, elapsed };
  };
  await runFor(warmupMs);
  const { ops, elapsed } = await runFor(minMs);
  if (sink === Symbol.for("never")) console.log("unreachable");
  return (ops * 1000) / elapsed;
}

/** The ratio shown in the table: how many times better ours is (>1 is better, whatever the unit). */
export function ratioOf(row: BenchRow): number {
  if (row.ours === 0 || row.baseline === 0) return 0;
  return row.higherIsBetter ? row.ours / row.baseline : row.baseline / row.ours;
}

function formatFigure(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** Renders rows as a markdown table: measurement, ours, baseline, ratio, target. */
export function renderTable(rows: readonly BenchRow[]): string {
  const lines = ["| measurement | ours | baseline | ratio | target |", "|---|---:|---:|---:|---|"];
  for (const row of rows) {
    const verdict = row.targetMet === undefined ? "" : row.targetMet ? " ✅" : " ❌";
    lines.push(
      `| ${row.name} | ${formatFigure(row.ours)} ${row.unit} | ${formatFigure(row.baseline)} ${row.unit} (${row.baselineName}) | ${ratioOf(row).toFixed(2)}× | ${row.target ?? ""}${verdict} |`,
    );
  }
  return lines.join("\n");
}
