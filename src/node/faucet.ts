/**
 * The dev chain's faucet (LocalSecret's port 5000): `GET /faucet?address=<bech32>` sends
 * `amount` uscrt from a funded account through a real signed tx (SIGN_MODE_DIRECT, through the
 * mempool like any client's), waits until it is included, and answers
 * `{"txhash": "<HEX>", "height": "<n>", "amount": "<n>uscrt", "address": "…"}`.
 * Bad addresses answer 400 `{"error": …}`; a failed tx 500. Requests are served one at a time, so the
 * faucet's own sequence numbers never race.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeBaseAccount, decodeQueryAccountResponse, encodeQueryAccountRequest } from "../codec/auth.ts";
import { parseAccountAddress } from "../primitives/bech32.ts";
import { toHex } from "../primitives/hex.ts";
import { silentLogger, type Logger } from "../primitives/observability.ts";
import type { NodeBackend } from "./backend.ts";
import { msgSend, signDirectTx, type SignerKey } from "./txBuilder.ts";

export interface FaucetOptions {
  readonly backend: NodeBackend;
  readonly key: SignerKey;
  /** bech32 of `key`. */
  readonly address: string;
  readonly host?: string;
  readonly port: number;
  /** uscrt per request (default 1 000 000 000, LocalSecret's 1000 SCRT). */
  readonly amount?: bigint;
  readonly logger?: Logger;
  /** How long to wait for inclusion (default 30 s). */
  readonly timeoutMs?: number;
}

export interface FaucetServer {
  readonly port: number;
  close(): Promise<void>;
}

const FEE_GAS = 100_000n;
const FEE_AMOUNT = "2500"; // 0.025 uscrt/gas ≥ the dev min gas price

export async function startFaucet(o: FaucetOptions): Promise<FaucetServer> {
  const log = o.logger ?? silentLogger;
  const amount = o.amount ?? 1_000_000_000n;
  let queue: Promise<unknown> = Promise.resolve();

  const account = (): { accountNumber: bigint; sequence: bigint } => {
    const r = o.backend.abciQuery(
      "/cosmos.auth.v1beta1.Query/Account",
      encodeQueryAccountRequest({ address: o.address }),
      0,
      false,
    );
    if (r.code !== 0) throw new Error(`faucet account: ${r.log}`);
    const acc = decodeBaseAccount(decodeQueryAccountResponse(r.value).value);
    return { accountNumber: acc.accountNumber, sequence: acc.sequence };
  };
  // The faucet's next sequence: the committed one plus its own pending txs.
  let next: { accountNumber: bigint; sequence: bigint } | undefined;

  const send = async (to: string): Promise<Record<string, string>> => {
    next ??= account();
    const tx = signDirectTx({
      messages: [msgSend(o.address, to, [{ denom: "uscrt", amount: amount.toString() }])],
      key: o.key,
      chainId: o.backend.chainId,
      accountNumber: next.accountNumber,
      sequence: next.sequence,
      fee: [{ denom: "uscrt", amount: FEE_AMOUNT }],
      gas: FEE_GAS,
      memo: "faucet",
    });
    const { hash, check } = o.backend.broadcastTx(tx);
    if (check.code !== 0) {
      next = undefined; // re-read the account next time
      throw new Error(`faucet tx refused: ${check.log}`);
    }
    next = { accountNumber: next.accountNumber, sequence: next.sequence + 1n };
    const included = await o.backend.waitForTx(hash, o.timeoutMs ?? 30_000);
    if (included === undefined) throw new Error("faucet tx not included in time");
    if (included.result.code !== 0) throw new Error(`faucet tx failed: ${included.result.log}`);
    return {
      txhash: toHex(hash).toUpperCase(),
      height: String(included.height),
      amount: `${amount}uscrt`,
      address: to,
    };
  };

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://faucet");
    if (req.method !== "GET" || url.pathname !== "/faucet") {
      reply(res, 404, { error: "use GET /faucet?address=<bech32>" });
      return;
    }
    const address = url.searchParams.get("address") ?? "";
    try {
      parseAccountAddress(address);
    } catch (e) {
      reply(res, 400, { error: `invalid address '${address}': ${(e as Error).message}` });
      return;
    }
    const job = queue.then(() => send(address));
    queue = job.catch(() => undefined);
    job.then(
      (body) => {
        log.info("faucet sent", { to: address, amount: amount.toString() });
        reply(res, 200, body);
      },
      (e: unknown) => {
        log.warn("faucet failed", { to: address, error: (e as Error).message });
        reply(res, 500, { error: (e as Error).message });
      },
    );
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
