/**
 * Secret contracts on a localnet whose validators run their enclaves: a `LocalnetDriver` that starts
 * the nodes with their enclave workers, the real secretjs pointed at one node's LCD, and the reading of
 * a compute tx straight from a node's RPC `tx` (decrypted with the sender's encryption seed).
 */
import { createRequire } from "node:module";
import { type ClientEncryption, decryptTxRawLog, splitEnvelope } from "../../src/client/encryption.ts";
import { decodeMsgExecuteContract, decodeMsgInstantiateContract } from "../../src/codec/compute.ts";
import { decodeTxBody, decodeTxRaw } from "../../src/codec/tx.ts";
import { sha256 } from "../../src/crypto/index.ts";
import { spawnValidator, type ValidatorProcess } from "../../src/node/localnet.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { LocalnetDriver, type Obj } from "./localnet.ts";
import type { SecretjsClient } from "./secretjsClient.ts";
import type { SecretjsWallet } from "./secretjsTx.ts";

const require = createRequire(import.meta.url);
const secretjs = require("secretjs") as { SecretNetworkClient: new (options: object) => SecretjsClient };

/** A `LocalnetDriver` whose nodes run with their enclave workers (contract txs are executed). */
export class LocalnetComputeDriver extends LocalnetDriver {
  override start(i: number): ValidatorProcess {
    const p = spawnValidator(this.net, i, { logLevel: "info", enclave: true });
    this.procs[i] = p;
    return p;
  }

  /** Starts node `i` and waits until it serves RPC, LCD and p2p; if it exits first, the error carries its log. */
  async startReady(i: number): Promise<ValidatorProcess> {
    const p = this.start(i);
    await p.ready.catch((e: unknown) => {
      throw new Error(`node${i} did not start: ${String(e)}\n${p.output().slice(-4000)}`);
    });
    return p;
  }

  /** secretjs on node `i`'s LCD, with a fixed encryption seed so that any node's client reads its outputs. */
  secretjs(i: number, wallet: SecretjsWallet, encryptionSeed: Uint8Array): SecretjsClient {
    return new secretjs.SecretNetworkClient({
      url: `http://127.0.0.1:${this.net.nodes[i]!.lcdPort}`,
      chainId: this.net.chainId,
      wallet,
      walletAddress: wallet.address,
      encryptionSeed,
    });
  }

  /** The chain's IO public key as node `i`'s LCD serves it (`/registration/v1beta1/tx-key`). */
  async ioPublicKey(i: number): Promise<Uint8Array> {
    return fromBase64((await this.lcd(i, "/registration/v1beta1/tx-key"))["key"] as string);
  }

  /** The header of block `h` on node `i`: its block id hash and app hash (hex, as the RPC gives them). */
  async blockAt(i: number, h: number): Promise<{ readonly hash: string; readonly appHash: string }> {
    const b = await this.rpc(i, "block", { height: String(h) });
    return {
      hash: (b["block_id"] as Obj)["hash"] as string,
      appHash: ((b["block"] as Obj)["header"] as Obj)["app_hash"] as string,
    };
  }

  /**
   * The app's own state on every listed node at one common height: `abci_info` (last block height and
   * the app hash its own commit computed) asked of all nodes at once until they answer the same height.
   */
  async sameAbciAppHash(nodes: readonly number[], timeoutMs = 30_000): Promise<{ height: number; appHash: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(
        nodes.map(async (i) => {
          const r = (await this.rpc(i, "abci_info"))["response"] as Obj;
          return { height: Number(r["last_block_height"]), appHash: String(r["last_block_app_hash"]) };
        }),
      );
      if (infos.every((x) => x.height === infos[0]!.height)) {
        for (const [k, x] of infos.entries()) {
          if (x.appHash !== infos[0]!.appHash) {
            throw new Error(
              `node${nodes[k]} app hash ${x.appHash} ≠ node${nodes[0]} ${infos[0]!.appHash} at ${x.height}`,
            );
          }
        }
        return infos[0]!;
      }
      if (Date.now() > deadline) throw new Error(`nodes never at one height: ${JSON.stringify(infos)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** RPC `tx` of node `i` for an upper-case hex hash (the raw answer: tx bytes and result, still encrypted). */
  async rpcTx(i: number, hashHex: string): Promise<Obj> {
    return this.rpc(i, "tx", { hash: Buffer.from(hashHex, "hex").toString("base64") });
  }

  /** The contract state's smart query on every listed node, answered through that node's LCD by secretjs. */
  async queryOn(
    clients: readonly SecretjsClient[],
    contract: string,
    codeHash: string,
    query: object,
  ): Promise<unknown[]> {
    return Promise.all(
      clients.map((c) => c.query.compute.queryContract({ contract_address: contract, code_hash: codeHash, query })),
    );
  }
}

/** A deterministic 32-byte encryption seed for a test identity. */
export const testEncryptionSeed = (name: string): Uint8Array => sha256(utf8Encode(`localnetCompute ${name}`));

export interface DecryptedRpcTx {
  readonly height: number;
  readonly code: number;
  readonly codespace: string;
  readonly gasUsed: string;
  /** The `wasm` event attributes in order, each key and value decrypted when it opens with our key. */
  readonly wasm: readonly (readonly [string, string])[];
  /** The (decrypted) keys of the `wasm` attributes that were ciphertext on the wire. */
  readonly encryptedKeys: readonly string[];
  /** The log as the node serves it (a contract error still encrypted). */
  readonly log: string;
  /** The contract's error, decrypted from the log, when the tx failed in its compute message. */
  readonly error: string | undefined;
}

/**
 * Reads a compute tx (instantiate or execute, one message) from an RPC `tx` answer as its sender: the
 * nonce comes from the envelope in the tx bytes, the attributes of `wasm` events and an encrypted error
 * in the log are opened with `enc` (secretjs's rule: what does not open is plaintext).
 */
export function decryptRpcTx(enc: ClientEncryption, rpcTx: Obj): DecryptedRpcTx {
  const body = decodeTxBody(decodeTxRaw(fromBase64(rpcTx["tx"] as string)).bodyBytes);
  const msg = body.messages[0];
  if (msg === undefined) throw new Error("the tx has no message");
  const envelope = msg.typeUrl.endsWith("MsgExecuteContract")
    ? decodeMsgExecuteContract(msg.value).msg
    : msg.typeUrl.endsWith("MsgInstantiateContract")
      ? decodeMsgInstantiateContract(msg.value).initMsg
      : undefined;
  const parts = envelope === undefined ? undefined : splitEnvelope(envelope);
  if (parts === undefined) throw new Error(`${msg.typeUrl}: no encrypted envelope`);
  if (!enc.owns(envelope!)) throw new Error("the envelope was made with another encryption key");
  const result = (rpcTx["tx_result"] ?? {}) as Obj;
  const open = (text: string): string | undefined => {
    try {
      return enc.decryptAttribute(text, parts.nonce);
    } catch {
      return undefined;
    }
  };
  const wasm: [string, string][] = [];
  const encryptedKeys: string[] = [];
  for (const e of (result["events"] ?? []) as Obj[]) {
    if (e["type"] !== "wasm") continue;
    for (const a of (e["attributes"] ?? []) as Obj[]) {
      const [key, value] = [String(a["key"] ?? ""), String(a["value"] ?? "")];
      const openedKey = open(key);
      if (openedKey !== undefined) encryptedKeys.push(openedKey);
      wasm.push([openedKey ?? key, open(value) ?? value]);
    }
  }
  const log = String(result["log"] ?? "");
  return {
    height: Number(rpcTx["height"]),
    code: Number(result["code"] ?? 0),
    codespace: String(result["codespace"] ?? ""),
    gasUsed: String(result["gas_used"] ?? "0"),
    wasm,
    encryptedKeys,
    log,
    error: decryptTxRawLog(enc, log, (i) => (i === 0 ? parts.nonce : undefined)).decrypted,
  };
}
