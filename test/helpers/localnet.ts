/**
 * Driving a localnet (src/node/localnet.ts) from a test: its processes, RPC and LCD reads on
 * loopback, and signed txs (SIGN_MODE_DIRECT, src/node/txBuilder.ts) waited for until committed.
 */
import assert from "node:assert/strict";
import { secp256k1PublicKey } from "../../src/crypto/index.ts";
import type { Any } from "../../src/codec/tx.ts";
import { spawnValidator, type Localnet, type ValidatorProcess } from "../../src/node/localnet.ts";
import { signDirectTx } from "../../src/node/txBuilder.ts";
import { toBase64 } from "../../src/primitives/base64.ts";
import { rpcCall } from "./net.ts";

export type Obj = Record<string, unknown>;

export interface CommittedTx {
  readonly hash: string;
  readonly height: number;
  readonly code: number;
  readonly log: string;
}

export class LocalnetDriver {
  net: Localnet;
  readonly procs: (ValidatorProcess | undefined)[] = [];

  constructor(net: Localnet) {
    this.net = net;
  }

  start(i: number): ValidatorProcess {
    const p = spawnValidator(this.net, i, { logLevel: "info", enclave: false });
    this.procs[i] = p;
    return p;
  }

  async kill(i: number): Promise<void> {
    const p = this.procs[i];
    if (p === undefined) return;
    p.child.kill("SIGKILL");
    await p.exited;
    this.procs[i] = undefined;
  }

  async killAll(): Promise<void> {
    for (const p of this.procs) p?.child.kill("SIGKILL");
    await Promise.all(this.procs.map((p) => p?.exited));
  }

  logs(nodes: readonly number[]): string {
    return nodes.map((i) => `--- node${i}\n${this.procs[i]?.output().slice(-3000) ?? ""}`).join("\n");
  }

  rpc(i: number, method: string, params: Obj = {}): Promise<Obj> {
    return rpcCall(this.net.nodes[i]!.rpcPort, method, params, 5000);
  }

  async lcd(i: number, path: string): Promise<Obj> {
    const res = await fetch(`http://127.0.0.1:${this.net.nodes[i]!.lcdPort}${path}`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as Obj;
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async height(i: number): Promise<number> {
    const s = await this.rpc(i, "status");
    return Number((s["sync_info"] as Obj)["latest_block_height"]);
  }

  /** Waits until every listed node is at `h` or above. */
  async waitHeight(nodes: readonly number[], h: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hs = await Promise.all(nodes.map((i) => this.height(i).catch(() => -1)));
      if (hs.every((x) => x >= h)) return;
      if (Date.now() > deadline) {
        throw new Error(`nodes ${nodes.join(",")} at ${hs.join(",")}, wanted ${h}\n${this.logs(nodes)}`);
      }
      await sleep(200);
    }
  }

  /** Polls `check` every 300 ms until it returns a value other than undefined. */
  async until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(300);
    }
  }

  /** The consensus set of height `h` as node `i` reports it: upper-case hex addresses → voting power. */
  async validatorsAt(i: number, h: number): Promise<Map<string, bigint>> {
    const r = await this.rpc(i, "validators", { height: String(h), per_page: "100" });
    const vals = r["validators"] as Obj[];
    return new Map(vals.map((v) => [v["address"] as string, BigInt(v["voting_power"] as string)]));
  }

  /** Addresses whose commit signature for block `h` (in the commit of `h`) is a vote for the block. */
  async signersOf(i: number, h: number): Promise<string[]> {
    const commit = await this.rpc(i, "commit", { height: String(h) });
    const sigs = ((commit["signed_header"] as Obj)["commit"] as Obj)["signatures"] as Obj[];
    return sigs.filter((s) => s["block_id_flag"] === 2).map((s) => s["validator_address"] as string);
  }

  /**
   * Signs `messages` with `key` (account number and sequence read from node `i`'s LCD), broadcasts the
   * tx to node `i` and waits until it is committed; CheckTx must accept it.
   */
  async sendTx(i: number, key: Uint8Array, address: string, messages: readonly Any[]): Promise<CommittedTx> {
    const a = (await this.lcd(i, `/cosmos/auth/v1beta1/accounts/${address}`))["account"] as Obj;
    const tx = signDirectTx({
      messages,
      key: { privateKey: key, publicKey: secp256k1PublicKey(key) },
      chainId: this.net.chainId,
      accountNumber: BigInt(a["account_number"] as string),
      sequence: BigInt(a["sequence"] as string),
      fee: [{ denom: "uscrt", amount: "50000" }],
      gas: 500_000n,
    });
    const r = await this.rpc(i, "broadcast_tx_sync", { tx: toBase64(tx) });
    assert.equal(r["code"], 0, `CheckTx: ${JSON.stringify(r)}`);
    const hash = r["hash"] as string;
    const hashB64 = Buffer.from(hash, "hex").toString("base64");
    return this.until(`tx ${hash}`, async () => {
      const t = await this.rpc(i, "tx", { hash: hashB64 });
      const result = t["tx_result"] as Obj;
      return { hash, height: Number(t["height"]), code: Number(result["code"] ?? 0), log: String(result["log"] ?? "") };
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
