/**
 * Progress bars on stderr for long work (large uploads, block sync), drawn only when stderr is a
 * terminal so pipes and JSON output stay clean: `uploading [#######.............]  35%  0.9/2.6 MiB`,
 * `block sync [####..........................]  14%  140/1000 blocks`.
 */
import type { CliIo } from "./io.ts";

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

/** How `done/total` is written after the bar. */
export type ProgressUnit = (done: number, total: number) => string;

const WIDTH = 30;

const mib = (n: number): string => (n / (1024 * 1024)).toFixed(1);

export const BYTES: ProgressUnit = (done, total) => `${mib(done)}/${mib(total)} MiB`;
export const BLOCKS: ProgressUnit = (done, total) => `${done}/${total} blocks`;

export function renderProgress(label: string, done: number, total: number, unit: ProgressUnit = BYTES): string {
  const fraction = total <= 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * WIDTH);
  const pct = String(Math.floor(fraction * 100)).padStart(3);
  return `${label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${pct}%  ${unit(done, total)}`;
}

/** A bar for `label`; work smaller than `minTotal` (in the unit's terms) draws nothing. */
export function createProgress(io: CliIo, label: string, minTotal = 256 * 1024, unit: ProgressUnit = BYTES): Progress {
  let drawn = false;
  return {
    update(done, total) {
      if (!io.stderrIsTTY || total < minTotal) return;
      io.stderr(`\r${renderProgress(label, done, total, unit)}`);
      drawn = true;
    },
    finish() {
      if (drawn) io.stderr("\n");
      drawn = false;
    },
  };
}
