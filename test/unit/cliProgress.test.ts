import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { memoryIo } from "../../src/cli/lib/io.ts";
import { BLOCKS, BYTES, createProgress, renderProgress } from "../../src/cli/lib/progress.ts";

describe("cli progress bars", () => {
  it("renders bytes and blocks", () => {
    assert.equal(
      renderProgress("uploading", 1024 * 1024, 4 * 1024 * 1024, BYTES),
      `uploading [########......................]  25%  1.0/4.0 MiB`,
    );
    assert.equal(
      renderProgress("block sync", 140, 1000, BLOCKS),
      `block sync [####..........................]  14%  140/1000 blocks`,
    );
    assert.match(renderProgress("block sync", 5, 5, BLOCKS), /\[#{30}\] 100% {2}5\/5 blocks$/);
  });

  it("draws only on a terminal and only for work above the threshold", () => {
    const tty = memoryIo({ tty: true });
    const bar = createProgress(tty, "block sync", 2, BLOCKS);
    bar.update(1, 3);
    bar.update(3, 3);
    bar.finish();
    assert.equal(
      tty.err(),
      `\r${renderProgress("block sync", 1, 3, BLOCKS)}\r${renderProgress("block sync", 3, 3, BLOCKS)}\n`,
    );

    const small = memoryIo({ tty: true });
    createProgress(small, "block sync", 2, BLOCKS).update(1, 1);
    assert.equal(small.err(), "");

    const pipe = memoryIo({ tty: false });
    const piped = createProgress(pipe, "block sync", 2, BLOCKS);
    piped.update(5, 10);
    piped.finish();
    assert.equal(pipe.err(), "");
  });
});
