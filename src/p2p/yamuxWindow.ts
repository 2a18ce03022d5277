/**
 * Yamux window updates at half the window, as go-yamux and the yamux spec's reference implementation
 * send them. js-yamux 8 sends a window update after every data frame it receives: on a gossipsub
 * stream, one extra encrypted frame (and socket write) back for every message, which on our loopback
 * localnets is about as many frames as the messages themselves. A receiver may send its updates
 * whenever it likes (the sender only ever waits for a window that is empty), so an established
 * stream here skips the update until less than half of its receive window is left; the first
 * update of a stream (its SYN/ACK flags), a paused stream and a resumed one are left to yamux.
 *
 * Installed once, for the process, by `installYamuxWindowThreshold()` (p2p.ts calls it before
 * creating libp2p). It wraps the method of the installed yamux version and checks the fields it
 * reads exist, so a yamux release that renames them fails at start instead of misbehaving.
 */
import { StreamState, YamuxStream } from "@chainsafe/libp2p-yamux/stream";
import { P2PError } from "./errors.ts";

/** The fields of a yamux stream the threshold reads (private in yamux's types). */
interface WindowFields {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

interface PatchableStream {
  sendWindowUpdate(this: WindowFields): void;
}

const INSTALLED = Symbol.for("scrt.p2p.yamuxWindowThreshold");

/**
 * True when an established stream may skip the window update now: at least half of its receive
 * window is still free for the remote to fill.
 */
export function windowUpdateDeferrable(s: WindowFields): boolean {
  return s.state === StreamState.Established && s.recvWindowCapacity * 2 > s.recvWindow;
}

export function installYamuxWindowThreshold(): void {
  const proto = YamuxStream.prototype as unknown as PatchableStream & { [INSTALLED]?: true };
  if (proto[INSTALLED] === true) return;
  const original = proto.sendWindowUpdate;
  if (typeof original !== "function" || StreamState.Established === undefined) {
    throw new P2PError("P2P_BAD_OPTIONS", "the installed yamux has no YamuxStream.sendWindowUpdate");
  }
  proto.sendWindowUpdate = function sendWindowUpdateAtHalf(this: WindowFields): void {
    if (typeof this.recvWindowCapacity !== "number" || typeof this.recvWindow !== "number") {
      throw new P2PError("P2P_BAD_OPTIONS", "the installed yamux stream has no recvWindow/recvWindowCapacity");
    }
    if (windowUpdateDeferrable(this)) return;
    original.call(this);
  };
  proto[INSTALLED] = true;
}
