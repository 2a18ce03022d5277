/**
 * Shared setup for the compute module's tests: a real worker enclave (bootstrapped, or joined to the
 * same network through registration so it derives the same keys), the app on it with secretjs wallets
 * funded at genesis, contract inputs encrypted by secretjs's own `EncryptionUtilsImpl`, and txs signed
 * by the secretjs wallet (SIGN_MODE_DIRECT).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import {
  APP_STORE_NAMES,
  SecretApp,
  computeEnclaveFromClient,
  type EncryptedBlockRandom,
  type TxResult,
} from "../../src/app/index.ts";
import { createPolicy, createSoftwareEvidence, encodePolicy } from "../../src/attestation/index.ts";
import { COMPUTE_QUERY_PATHS, COMPUTE_URLS } from "../../src/codec/compute.ts";
import {
  decodeQuerySecretContractResponse,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
  encodeMsgStoreCode,
  encodeQuerySecretContractRequest,
} from "../../src/codec/compute.ts";
import {
  type Any,
  type ProtoCoin,
  SignMode,
  encodeAuthInfo,
  encodeSignDoc,
  encodeTxBody,
  encodeTxRaw,
} from "../../src/codec/tx.ts";
import { ed25519PublicKey, sha256 } from "../../src/crypto/index.ts";
import type { OcallHandlers } from "../../src/enclave-api/client.ts";
import { type WorkerEnclave, createWorkerEnclave } from "../../src/enclave-api/workerEnclave.ts";
import { fromBase64 } from "../../src/primitives/base64.ts";
import { decodeAddress } from "../../src/primitives/bech32.ts";
import { concatBytes, utf8Decode } from "../../src/primitives/bytes.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { createMemoryDatabase, openMultiStore, type Database } from "../../src/store/index.ts";
import { checkCode } from "../../src/node/compute.ts";
import type { EnclaveForCompute } from "../../src/app/compute/types.ts";
import { MNEMONICS, Wallet, secp256k1Any, type SecretjsWallet } from "./secretjsTx.ts";

const require = createRequire(import.meta.url);

export const ENCLAVE_ENTRY = new URL("../../src/enclave/main.ts", import.meta.url);
export const CHAIN_ID = "secretdev-1";

interface SjEncryptionUtils {
  encrypt(codeHash: string, msg: object): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
  consensusIoPubKey: Uint8Array;
}
const { EncryptionUtilsImpl } = require("secretjs") as {
  EncryptionUtilsImpl: new (url: string, seed?: Uint8Array) => SjEncryptionUtils;
};

/** secretjs's encryption utils for the chain's IO key (no tx-key fetch: the key is set in its cache). */
export function secretjsEncryption(ioPk: Uint8Array, seed: Uint8Array): SjEncryptionUtils {
  const sj = new EncryptionUtilsImpl("http://127.0.0.1:1", seed);
  sj.consensusIoPubKey = Uint8Array.from(ioPk);
  return sj;
}

/** The node's store-time check, as the node wires it: `src/vm`'s storeCheck with upstream's texts. */
export { checkCode };

/** A dev authority and the network it bootstraps; `join` makes another enclave with the same seeds. */
export class TestNetwork {
  readonly enclaves: WorkerEnclave[] = [];
  private readonly authoritySeed = sha256(new TextEncoder().encode("appCompute dev authority"));
  private policy: Uint8Array | undefined;
  ioPk: Uint8Array = new Uint8Array(0);
  private readonly quote: OcallHandlers = {
    quote: (report) => ({
      evidence: createSoftwareEvidence(report, BigInt(Math.floor(Date.now() / 1000)), this.authoritySeed),
    }),
  };

  constructor(private readonly root: string) {}

  async bootstrap(): Promise<WorkerEnclave> {
    const home = join(this.root, `enclave-${this.enclaves.length}`);
    mkdirSync(home, { recursive: true });
    const enclave = await createWorkerEnclave({ entry: ENCLAVE_ENTRY, home });
    this.enclaves.push(enclave);
    const measurement = enclave.call("getStatus", {}).measurement;
    this.policy = encodePolicy(
      createPolicy({
        allowedMeasurements: [{ measurement, label: "test build" }],
        authorities: [{ teeType: 1, publicKey: ed25519PublicKey(this.authoritySeed), label: "dev" }],
      }),
    );
    this.ioPk = enclave.call("bootstrap", { policy: this.policy }).ioExchKey;
    return enclave;
  }

  /** A second enclave registered with the first: it ends up with the same seeds and keys. */
  async join(): Promise<WorkerEnclave> {
    const first = this.enclaves[0];
    if (first === undefined || this.policy === undefined) throw new Error("bootstrap first");
    const home = join(this.root, `enclave-${this.enclaves.length}`);
    mkdirSync(home, { recursive: true });
    const enclave = await createWorkerEnclave({ entry: ENCLAVE_ENTRY, home });
    this.enclaves.push(enclave);
    enclave.call("setPolicy", { policy: this.policy });
    const reg = enclave.call("createRegistration", {}, this.quote);
    const { encryptedSeeds } = first.call("registerNode", {
      evidence: reg.evidence,
      blockTimeSeconds: BigInt(Math.floor(Date.now() / 1000)),
    });
    const status = first.call("getPublicKeys", {});
    const accepted = enclave.call("acceptSeeds", {
      nodeExchKey: status.nodeExchKey,
      seedInput: concatBytes(Uint8Array.of(encryptedSeeds.length), encryptedSeeds),
    });
    if (!accepted.accepted) throw new Error("the joining enclave did not accept the seeds");
    return enclave;
  }

  async close(): Promise<void> {
    await Promise.all(this.enclaves.map((e) => e.close()));
  }
}

export interface Account {
  readonly wallet: SecretjsWallet;
  readonly address: Uint8Array;
  readonly bech32: string;
  readonly accountNumber: bigint;
  sequence: bigint;
}

export function accounts(): { a: Account; b: Account; c: Account } {
  const make = (m: string, n: number): Account => {
    const wallet = new Wallet(m);
    return {
      wallet,
      address: decodeAddress(wallet.address),
      bech32: wallet.address,
      accountNumber: BigInt(n),
      sequence: 0n,
    };
  };
  return { a: make(MNEMONICS.a, 0), b: make(MNEMONICS.b, 1), c: make(MNEMONICS.c, 2) };
}

export function computeGenesis(funded: readonly Account[], compute?: unknown): { chainId: string; appState: unknown } {
  return {
    chainId: CHAIN_ID,
    appState: {
      auth: {
        accounts: funded.map((f) => ({
          "@type": "/cosmos.auth.v1beta1.BaseAccount",
          address: f.bech32,
          pub_key: null,
          account_number: f.accountNumber.toString(),
          sequence: "0",
        })),
      },
      bank: {
        balances: funded.map((f) => ({ address: f.bech32, coins: [{ denom: "uscrt", amount: "100000000000" }] })),
      },
      ...(compute === undefined ? {} : { compute }),
    },
  };
}

export function openApp(enclave: WorkerEnclave, db: Database = createMemoryDatabase()): SecretApp {
  const store = openMultiStore(db, { storeNames: APP_STORE_NAMES });
  return new SecretApp({ store, enclave: computeEnclaveFromClient(enclave, checkCode) });
}

/** Signs `messages` with SIGN_MODE_DIRECT by the secretjs wallet; advances the account's sequence. */
export async function signedTx(
  from: Account,
  messages: readonly Any[],
  gas = 5_000_000n,
  fee: readonly ProtoCoin[] = [{ denom: "uscrt", amount: "62500" }],
): Promise<Uint8Array> {
  const bodyBytes = encodeTxBody({ messages, memo: "", timeoutHeight: 0n, extensionOptions: [] });
  const authInfoBytes = encodeAuthInfo({
    signerInfos: [
      {
        publicKey: secp256k1Any(from.wallet.publicKey),
        modeInfo: { kind: "single", mode: SignMode.DIRECT },
        sequence: from.sequence,
      },
    ],
    fee: { amount: fee, gasLimit: gas, payer: "", granter: "" },
  });
  const signDoc = { bodyBytes, authInfoBytes, chainId: CHAIN_ID, accountNumber: from.accountNumber };
  const signed = await from.wallet.signDirect(from.bech32, signDoc);
  from.sequence++;
  void encodeSignDoc;
  return encodeTxRaw({ bodyBytes, authInfoBytes, signatures: [fromBase64(signed.signature.signature)] });
}

export const storeCodeMsg = (sender: Uint8Array, wasm: Uint8Array): Any => ({
  typeUrl: COMPUTE_URLS.storeCode,
  value: encodeMsgStoreCode({ sender, wasmByteCode: wasm, source: "", builder: "" }),
});

export const instantiateMsg = (
  sender: Uint8Array,
  codeId: bigint,
  label: string,
  initMsg: Uint8Array,
  admin = "",
  funds: readonly ProtoCoin[] = [],
): Any => ({
  typeUrl: COMPUTE_URLS.instantiate,
  value: encodeMsgInstantiateContract({
    sender,
    callbackCodeHash: "",
    codeId,
    label,
    initMsg,
    initFunds: funds,
    callbackSig: new Uint8Array(0),
    admin,
  }),
});

export const executeMsg = (
  sender: Uint8Array,
  contract: Uint8Array,
  msg: Uint8Array,
  funds: readonly ProtoCoin[] = [],
): Any => ({
  typeUrl: COMPUTE_URLS.execute,
  value: encodeMsgExecuteContract({
    sender,
    contract,
    msg,
    callbackCodeHash: "",
    sentFunds: funds,
    callbackSig: new Uint8Array(0),
  }),
});

/** Nanoseconds of a block time `height` seconds after 2025-01-01. */
export const blockTime = (height: number): bigint => (1_735_689_600n + BigInt(height)) * 1_000_000_000n;

export function runBlock(
  app: SecretApp,
  txs: readonly Uint8Array[],
  random?: EncryptedBlockRandom,
): { results: TxResult[]; appHash: Uint8Array } {
  const height = app.lastHeight + 1;
  const { txResults } = app.finalizeBlock({
    height,
    timeNanos: blockTime(height),
    txs,
    ...(random === undefined ? {} : { random }),
  });
  const { appHash } = app.commit();
  return { results: [...txResults], appHash };
}

/** A smart query through the app's gRPC route; decrypts the answer with secretjs. */
export async function smartQuery(
  app: SecretApp,
  enc: SjEncryptionUtils,
  contract: string,
  codeHash: string,
  query: object,
): Promise<{ code: number; log: string; value: unknown }> {
  const envelope = await enc.encrypt(codeHash, query);
  const r = app.query(
    COMPUTE_QUERY_PATHS.QuerySecretContract,
    encodeQuerySecretContractRequest({ contractAddress: contract, query: envelope }),
  );
  if (r.code !== 0) return { code: r.code, log: r.log, value: undefined };
  const answer = decodeQuerySecretContractResponse(r.value);
  const b64 = utf8Decode(await enc.decrypt(answer, envelope.slice(0, 32)));
  return { code: 0, log: "", value: JSON.parse(utf8Decode(fromBase64(b64))) };
}

export const hashHex = (code: Uint8Array): string => toHex(sha256(code));

/** What a contract ecall answers the app (`EnclaveForCompute.call`). */
export type ScriptedOutcome = ReturnType<EnclaveForCompute["call"]>;

/**
 * An outcome for scripted enclaves in tests and benches: a v1 success that carries nothing (no data,
 * attributes, events, messages, keys), with `over` on top.
 */
export function scriptedOutcome(over: Record<string, unknown> = {}): ScriptedOutcome {
  return {
    ok: true,
    apiVersion: "v1",
    data: undefined,
    attributes: [],
    events: [],
    messagesJson: "[]",
    reply: undefined,
    errorKind: "",
    errorCode: "",
    errorMessage: "",
    errorJson: "",
    gas: undefined,
    queryGas: 0n,
    callCounter: { height: 1n, counter: 1n },
    contractKey: undefined,
    adminProof: undefined,
    newContractKeyProof: undefined,
    answer: undefined,
    ...over,
  } as ScriptedOutcome;
}
