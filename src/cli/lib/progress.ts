/**
 * A progress bar on stderr for long work (large uploads), drawn only when stderr is a terminal so
 * pipes and JSON output stay clean: `label [#######.............]  35%  0.9/2.6 MiB`.
 */
import type { CliIo } from "./io.ts";

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const WIDTH = 30;

function mib(n: number): string {
  return (n / (1024 * 1024)).toFixed(1);
}

export function renderProgress(label: string, done: number, total: number): string {
  const fraction = total <= 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * WIDTH);
  const pct = String(Math.floor(fraction * 100)).padStart(3);
  return `${label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${pct}%  ${mib(done)}/${mib(total)} MiB`;
}

export function createProgress(io: CliIo, label: string, minTotal = 256 * 1024): Progress {
  let drawn = false;
  return {
    update(done, total) {
      if (!io.stderrIsTTY || total < minTotal) return;
      io.stderr(`\r${renderProgress(label, done, total)}`);
      drawn = true;
    },
    finish() {
      if (drawn) io.stderr("\n");
      drawn = false;
    },
  };
}
