/**
 * Shared setup for the P2P e2e tests: real libp2p nodes of one test chain on 127.0.0.1 (test
 * options, port 0), all stopped when the file's tests end, and polling for a condition.
 */
import { after } from "node:test";
import {
  createP2P,
  generateNodeKey,
  testP2POptions,
  type NodeKey,
  type P2PNode,
  type P2POptionsInput,
} from "../../src/p2p/index.ts";

/**
 * A starter of nodes on chain `chainId` with genesis hash `genesisHash` (and `extra` options, a fresh
 * key unless given); every node started is stopped by an `after` hook of the calling file.
 */
export function p2pNodeStarter(
  chainId: string,
  genesisHash: Uint8Array,
): (extra?: Partial<P2POptionsInput>, key?: NodeKey) => Promise<P2PNode> {
  const running: P2PNode[] = [];
  after(async () => {
    await Promise.allSettled(running.map((n) => n.stop()));
  });
  return async (extra = {}, key = generateNodeKey()) => {
    const node = createP2P(testP2POptions({ chainId, genesisHash, nodeKey: key, ...extra }));
    await node.start();
    running.push(node);
    return node;
  };
}

/** Polls `cond` until it holds; fails with `what` after `ms` (a deadline for failure, not a timing claim). */
export async function waitFor(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
