/**
 * Yamux window updates at half the window (src/p2p/yamuxWindow.ts): the installed method skips the
 * update of an established stream while more than half of its receive window is free, and lets yamux
 * send it (with the full delta) once it is not, and always for a stream's first frame (SYN/ACK) or a
 * paused one. Driven on yamux's own stream class with its frame sender replaced by a recorder.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StreamState, YamuxStream } from "@chainsafe/libp2p-yamux/stream";
import { installYamuxWindowThreshold, windowUpdateDeferrable } from "../../src/p2p/yamuxWindow.ts";

interface Frame {
  readonly type: number;
  readonly flag: number;
  readonly streamID: number;
  readonly length: number;
}

const WINDOW = 256 * 1024;

interface WindowFields {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

/** A yamux stream object without the muxer: its fields and a recorder of the frames it sends. */
function fakeStream(
  state: StreamState,
  capacity: number,
): {
  stream: YamuxStream;
  fields: WindowFields;
  frames: Frame[];
} {
  const frames: Frame[] = [];
  const fields = Object.assign(Object.create(YamuxStream.prototype) as YamuxStream, {
    streamId: 7,
    state,
    recvWindow: WINDOW,
    recvWindowCapacity: capacity,
    maxStreamWindowSize: 16 * 1024 * 1024,
    epochStart: Date.now(),
    getRTT: () => -1, // no RTT measured: the window does not grow
    sendFrame: (f: Frame) => {
      frames.push(f);
      return true;
    },
  });
  return { stream: fields, fields: fields as unknown as WindowFields, frames };
}

describe("yamux window updates at half the window", () => {
  installYamuxWindowThreshold();
  installYamuxWindowThreshold(); // idempotent

  it("decides on the free part of the receive window", () => {
    const s = (state: StreamState, cap: number) => ({ state, recvWindow: WINDOW, recvWindowCapacity: cap });
    assert.equal(windowUpdateDeferrable(s(StreamState.Established, WINDOW - 100)), true);
    assert.equal(windowUpdateDeferrable(s(StreamState.Established, WINDOW / 2 + 1)), true);
    assert.equal(windowUpdateDeferrable(s(StreamState.Established, WINDOW / 2)), false);
    assert.equal(windowUpdateDeferrable(s(StreamState.Established, 0)), false);
    assert.equal(windowUpdateDeferrable(s(StreamState.SYNReceived, WINDOW - 100)), false);
    assert.equal(windowUpdateDeferrable(s(StreamState.Init, WINDOW)), false);
  });

  it("sends nothing while more than half is free, then one update for everything consumed", () => {
    const { stream, fields, frames } = fakeStream(StreamState.Established, WINDOW);
    for (let i = 0; i < 100; i++) {
      fields.recvWindowCapacity -= 1000; // a data frame of 1000 bytes arrived
      stream.sendWindowUpdate();
    }
    assert.equal(frames.length, 0);
    fields.recvWindowCapacity -= WINDOW / 2 - 100_000 + 1; // now below half
    stream.sendWindowUpdate();
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.length, WINDOW / 2 + 1); // all consumed bytes at once
    assert.equal(fields.recvWindowCapacity, WINDOW);
  });

  it("leaves the first frame of a stream (SYN / ACK) and a paused stream to yamux", () => {
    const opening = fakeStream(StreamState.Init, WINDOW);
    opening.stream.sendWindowUpdate();
    assert.equal(opening.frames.length, 1, "the SYN goes out with the first update");
    assert.equal(opening.fields.state, StreamState.SYNSent);

    const accepting = fakeStream(StreamState.SYNReceived, WINDOW - 10);
    accepting.stream.sendWindowUpdate();
    assert.equal(accepting.frames.length, 1, "the ACK goes out");

    const paused = fakeStream(StreamState.Paused, 0);
    paused.stream.sendWindowUpdate();
    assert.equal(paused.frames.length, 0, "yamux holds updates while paused");
  });
});
