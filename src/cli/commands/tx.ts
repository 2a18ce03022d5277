/**
 * `scrt tx`: build, sign (SIGN_MODE_DIRECT with a keyring key) and broadcast transactions through
 * the LCD, then wait for inclusion. Contract messages are encrypted for the chain with the key's own
 * encryption seed, so the outputs can be decrypted now and later. See src/cli/README.md.
 */
import { readFileSync } from "node:fs";
import type { Any } from "../../codec/tx.ts";
import type { Coin } from "../../primitives/amount.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import { ClientError } from "../../client/errors.ts";
import { ClientEncryption } from "../../client/encryption.ts";
import type { UnlockedKey } from "../../client/keyring.ts";
import type { LcdClient } from "../../client/lcd.ts";
import { parseUserJson } from "../../client/json.ts";
import { msgSend } from "../../client/msgs/bank.ts";
import { parseCoinList, parseSingleCoin } from "../../client/msgs/coins.ts";
import { addressBytes, msgExecute, msgInstantiate, msgMigrate, msgStoreCode } from "../../client/msgs/compute.ts";
import { msgSubmitProposal, msgVote, parseVoteOption } from "../../client/msgs/gov.ts";
import { msgDelegate, msgUndelegate } from "../../client/msgs/staking.ts";
import { type SendOptions, type Stage, fetchChainId, signAndSend, txOutcome } from "../../client/sender.ts";
import { parseGasPrice } from "../../client/tx.ts";
import { decodeTxResult } from "../../client/txResults.ts";
import { type ParsedArgs, expectPositionals, flagBool, flagString, parseUintArg } from "../lib/args.ts";
import {
  type Common,
  COMMON_FLAGS,
  parseSubcommand,
  confirmOrAbort,
  lcdClient,
  openKeyring,
  outputOf,
  printResult,
  readPassphrase,
  reportError,
} from "../lib/context.ts";
import { CliError } from "../lib/errors.ts";
import { findEventAttribute } from "../lib/events.ts";
import { type CliIo, processIo } from "../lib/io.ts";
import { createProgress } from "../lib/progress.ts";

const USAGE = `Usage: scrt tx <module> <action> [arguments] --from KEY [options]

  bank send FROM TO AMOUNT                          send coins (FROM is a key name or its address)
  compute store FILE [--source URL --builder IMG]   upload wasm (raw or gzip)
  compute instantiate CODE_ID JSON --label L [--admin ADDR] [--amount COINS]
  compute execute CONTRACT JSON [--amount COINS]
  compute migrate CONTRACT CODE_ID JSON
  staking delegate VALIDATOR AMOUNT
  staking unbond VALIDATOR AMOUNT
  gov submit-proposal --title T --summary S [--metadata M] [--deposit COINS] [--expedited]
  gov vote PROPOSAL_ID yes|no|abstain|no_with_veto

Options:
  --from KEY               signing key (name in the keyring)
  --gas N|auto             gas limit, or estimate by simulation (default: auto; 300000 for
                           instantiate/execute/migrate, which the chain does not simulate)
  --gas-adjustment F       multiply the estimate (default 1.3)
  --gas-prices P           fee per gas unit (default 0.1uscrt)
  --fees COINS             a fixed fee instead of gas × price
  --memo TEXT
  --code-hash HEX          skip fetching the code hash
  --broadcast-mode M       block (wait for inclusion, default) | sync | async
  --chain-id ID --lcd URL --node URL --keyring-dir DIR --keyring-backend B --passphrase-file F
  --output json|text --yes --timeout SECONDS
`;

const FLAGS = {
  ...COMMON_FLAGS,
  gas: "string",
  "gas-adjustment": "string",
  "gas-prices": "string",
  fees: "string",
  memo: "string",
  amount: "string",
  label: "string",
  admin: "string",
  source: "string",
  builder: "string",
  "code-hash": "string",
  "broadcast-mode": "string",
  title: "string",
  summary: "string",
  metadata: "string",
  deposit: "string",
  expedited: "boolean",
} as const;

/** What the action built: messages plus what to report afterwards. */
interface Built {
  readonly messages: readonly Any[];
  readonly summary: string;
  readonly defaultGas: bigint | "auto";
  readonly progressLabel?: string;
  /** The identity contract messages were encrypted with, to read the outputs. */
  readonly encryption?: ClientEncryption;
}

function readFileArg(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new CliError("CLI_FILE", `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The contract message as given (validated as JSON, sent verbatim after trimming). */
function contractJson(text: string): string {
  const trimmed = text.trim();
  parseUserJson(trimmed, "the contract message");
  return trimmed;
}

function fundsOf(p: ParsedArgs): Coin[] {
  const amount = flagString(p, "amount");
  return amount === undefined ? [] : parseCoinList(amount, "--amount");
}

async function build(module: string, action: string, p: ParsedArgs, key: UnlockedKey, lcd: LcdClient): Promise<Built> {
  const sender = key.address;
  const newEncryption = async (): Promise<ClientEncryption> =>
    new ClientEncryption(key.encryptionSeed, await lcd.txKey());
  switch (`${module} ${action}`) {
    case "bank send": {
      const [, to, amount] = expectPositionals(p, ["FROM", "TO", "AMOUNT"]);
      addressBytes(to!, "recipient");
      const coins = parseCoinList(amount!, "AMOUNT");
      if (coins.length === 0) throw new ClientError("CLIENT_BAD_INPUT", "AMOUNT must be positive, e.g. 1000uscrt");
      return {
        messages: [msgSend(sender, to!, coins)],
        summary: `send ${amount!} from ${sender} to ${to!}`,
        defaultGas: "auto",
      };
    }
    case "compute store": {
      const [file] = expectPositionals(p, ["FILE"]);
      const wasm = readFileArg(file!);
      const msg = msgStoreCode(sender, wasm, flagString(p, "source") ?? "", flagString(p, "builder") ?? "");
      return {
        messages: [msg],
        summary: `store ${file!} (${wasm.length} bytes, ${msg.value.length} bytes in the tx)`,
        defaultGas: "auto",
        progressLabel: "uploading",
      };
    }
    case "compute instantiate": {
      const [codeIdText, json] = expectPositionals(p, ["CODE_ID", "JSON"]);
      const codeId = parseUintArg(codeIdText!, "CODE_ID");
      const label = flagString(p, "label");
      if (label === undefined) throw new CliError("CLI_USAGE", "instantiate needs --label");
      const msgText = contractJson(json!);
      const codeHash = flagString(p, "code-hash") ?? (await lcd.codeHashByCodeId(codeId));
      const encryption = await newEncryption();
      const initMsg = encryption.encrypt(codeHash, msgText);
      const admin = flagString(p, "admin");
      const msg = msgInstantiate({
        sender,
        codeId,
        label,
        initMsg,
        funds: fundsOf(p),
        ...(admin === undefined ? {} : { admin }),
      });
      return { messages: [msg], summary: `instantiate code ${codeId} as '${label}'`, defaultGas: 300_000n, encryption };
    }
    case "compute execute": {
      const [contract, json] = expectPositionals(p, ["CONTRACT", "JSON"]);
      addressBytes(contract!, "contract");
      const msgText = contractJson(json!);
      const codeHash = flagString(p, "code-hash") ?? (await lcd.codeHashByContract(contract!));
      const encryption = await newEncryption();
      const msg = msgExecute(sender, contract!, encryption.encrypt(codeHash, msgText), fundsOf(p));
      return { messages: [msg], summary: `execute ${contract!}`, defaultGas: 300_000n, encryption };
    }
    case "compute migrate": {
      const [contract, codeIdText, json] = expectPositionals(p, ["CONTRACT", "CODE_ID", "JSON"]);
      const codeId = parseUintArg(codeIdText!, "CODE_ID");
      const msgText = contractJson(json!);
      const codeHash = flagString(p, "code-hash") ?? (await lcd.codeHashByCodeId(codeId));
      const encryption = await newEncryption();
      const msg = msgMigrate(sender, contract!, codeId, encryption.encrypt(codeHash, msgText));
      return { messages: [msg], summary: `migrate ${contract!} to code ${codeId}`, defaultGas: 300_000n, encryption };
    }
    case "staking delegate":
    case "staking unbond": {
      const [validator, amount] = expectPositionals(p, ["VALIDATOR", "AMOUNT"]);
      const coin = parseSingleCoin(amount!, "AMOUNT");
      const msg =
        action === "delegate" ? msgDelegate(sender, validator!, coin) : msgUndelegate(sender, validator!, coin);
      return {
        messages: [msg],
        summary: `${action} ${amount!} ${action === "delegate" ? "to" : "from"} ${validator!}`,
        defaultGas: "auto",
      };
    }
    case "gov submit-proposal": {
      expectPositionals(p, []);
      const title = flagString(p, "title");
      const summary = flagString(p, "summary");
      if (title === undefined || summary === undefined)
        throw new CliError("CLI_USAGE", "submit-proposal needs --title and --summary");
      const msg = msgSubmitProposal({
        proposer: sender,
        title,
        summary,
        // A proposal without messages must carry metadata (gov code 11): default to the title.
        metadata: flagString(p, "metadata") ?? title,
        deposit: parseCoinList(flagString(p, "deposit") ?? "", "--deposit"),
        expedited: flagBool(p, "expedited"),
      });
      return { messages: [msg], summary: `submit proposal '${title}'`, defaultGas: "auto" };
    }
    case "gov vote": {
      const [id, option] = expectPositionals(p, ["PROPOSAL_ID", "OPTION"]);
      const proposalId = parseUintArg(id!, "PROPOSAL_ID");
      const vote = parseVoteOption(option!);
      return {
        messages: [msgVote(sender, proposalId, vote)],
        summary: `vote ${vote} on proposal ${proposalId}`,
        defaultGas: "auto",
      };
    }
    default:
      throw new CliError("CLI_USAGE", `unknown transaction 'tx ${module} ${action}'`);
  }
}

function gasOption(p: ParsedArgs, fallback: bigint | "auto" | undefined): bigint | "auto" | undefined {
  const text = flagString(p, "gas");
  if (text === undefined) return fallback;
  if (text === "auto") return "auto";
  const gas = parseUintArg(text, "--gas");
  if (gas === 0n) throw new CliError("CLI_USAGE", "--gas must be positive or auto");
  return gas;
}

/** Resolves `--from` and/or FROM (a key name, or the address of a key in the keyring) to a key name. */
function fromKeyName(c: Common, explicit: string | undefined): string {
  const keyring = openKeyring(c);
  const resolve = (from: string): string => {
    if (!from.startsWith("secret1")) return from;
    const match = keyring.list().find((k) => k.address === from);
    if (match === undefined) throw new ClientError("CLIENT_KEY_NOT_FOUND", `no key in the keyring has address ${from}`);
    return match.name;
  };
  const names = [explicit, c.from].filter((v): v is string => v !== undefined).map(resolve);
  if (names.length === 0) throw new CliError("CLI_USAGE", "--from KEY is required");
  if (names.length === 2 && names[0] !== names[1]) {
    throw new CliError("CLI_USAGE", `FROM (${explicit ?? ""}) and --from (${c.from ?? ""}) name different keys`);
  }
  return names[0]!;
}

export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [module, action, ...rest] = args;
  if (module === undefined || module === "--help" || module === "-h" || module === "help" || action === "--help") {
    io.stdout(USAGE);
    return module === undefined ? 2 : 0;
  }
  const name = `tx ${module} ${action ?? ""}`.trim();
  try {
    if (action === undefined) throw new CliError("CLI_USAGE", `tx ${module}: an action is needed`);
    const parsed = parseSubcommand(rest, FLAGS, io, USAGE);
    if (parsed === undefined) return 0;
    const { p, c } = parsed;
    // Options are checked before anything is unlocked or fetched.
    const mode = flagString(p, "broadcast-mode") ?? "block";
    if (mode !== "block" && mode !== "sync" && mode !== "async")
      throw new CliError("CLI_USAGE", "--broadcast-mode is block, sync or async");
    const adjustmentText = flagString(p, "gas-adjustment");
    const adjustment = adjustmentText === undefined ? undefined : Number(adjustmentText);
    if (adjustment !== undefined && !(adjustment >= 1 && adjustment <= 10))
      throw new CliError("CLI_USAGE", "--gas-adjustment is a number in [1, 10]");
    const feesText = flagString(p, "fees");
    const pricesText = flagString(p, "gas-prices");

    const gasFlag = gasOption(p, undefined);
    const fees = feesText === undefined ? undefined : parseCoinList(feesText, "--fees");
    const gasPrice = pricesText === undefined ? undefined : parseGasPrice(pricesText);
    const keyring = openKeyring(c);
    const keyName = fromKeyName(c, module === "bank" && action === "send" ? p.positionals[0] : undefined);
    const info = keyring.show(keyName);
    const key = await keyring.unlock(keyName, info.backend === "file" ? await readPassphrase(io, c) : undefined);
    const lcd = lcdClient(c);
    const built = await build(module, action, p, key, lcd);
    const chainId = c.chainId ?? (await fetchChainId(lcd));

    if (c.output === "text") io.stderr(`${built.summary} (chain ${chainId}, signer ${key.address})\n`);
    await confirmOrAbort(io, c, "Sign and broadcast?");

    const progress = built.progressLabel === undefined ? undefined : createProgress(io, built.progressLabel);
    const stageNames: Record<Stage, string> = {
      account: "fetching account",
      simulate: "estimating gas",
      sign: "signing",
      broadcast: "broadcasting",
      wait: "waiting for a block",
    };
    const options: SendOptions = {
      chainId,
      memo: flagString(p, "memo") ?? "",
      gas: gasFlag ?? built.defaultGas,
      ...(adjustment === undefined ? {} : { gasAdjustment: adjustment }),
      ...(gasPrice === undefined ? {} : { gasPrice }),
      ...(fees === undefined ? {} : { fees }),
      mode: mode === "block" ? "wait" : mode,
      waitTimeoutMs: Math.max(c.timeoutMs, 60_000),
      onStage: (s) => {
        if (c.output === "text" && io.stderrIsTTY) io.stderr(`${stageNames[s]}…\n`);
      },
      ...(progress === undefined
        ? {}
        : { onUploadProgress: (sent: number, total: number) => progress.update(sent, total) }),
    };
    let result;
    try {
      result = await signAndSend(lcd, key, built.messages, options);
    } catch (err) {
      if (err instanceof ClientError && err.code === "CLIENT_SIMULATE_FAILED" && built.defaultGas !== "auto") {
        throw new ClientError(
          err.code,
          `${err.message} (the chain does not simulate contract calls: give --gas N)`,
          err.details,
        );
      }
      throw err;
    } finally {
      progress?.finish();
    }

    const base = {
      txhash: result.hash,
      gas_wanted: result.gasLimit.toString(),
      fee: result.fee.map((f) => `${f.amount}${f.denom}`).join(","),
    };
    if (result.included === undefined) {
      printResult(
        io,
        c.output,
        { ...base, code: result.broadcast.code, included: false },
        `txhash: ${result.hash} (broadcast, not waiting for a block)`,
      );
      return 0;
    }
    const enc = built.encryption;
    const decoded = decodeTxResult(result.included, (pk) =>
      enc !== undefined && bytesEqual(pk, enc.publicKey) ? { name: key.name, enc } : undefined,
    );
    const outcome = txOutcome(result.included);
    const extra = reportFields(module, action, decoded.events);
    const json = {
      ...base,
      height: outcome.height,
      code: outcome.code,
      codespace: outcome.codespace,
      raw_log: decoded.rawLog,
      gas_used: decoded.gasUsed,
      ...extra,
      ...(decoded.data.length > 0 ? { data: decoded.data } : {}),
      ...(decoded.error === undefined ? {} : { error: decoded.error }),
      events: decoded.events,
    };
    if (outcome.code !== 0) {
      if (c.output === "json") printResult(io, "json", json, "");
      throw new ClientError(
        "CLIENT_TX_FAILED",
        `tx ${result.hash} failed in block ${outcome.height}: code ${outcome.code} (${outcome.codespace}): ${decoded.rawLog}`,
        { txhash: result.hash, code: outcome.code, codespace: outcome.codespace, rawLog: decoded.rawLog },
      );
    }
    const lines = [`txhash: ${result.hash}`, `height: ${outcome.height}`, `gas: ${decoded.gasUsed}/${result.gasLimit}`];
    for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${String(v)}`);
    for (const d of decoded.data) lines.push(`data: ${d.data}`);
    printResult(io, c.output, json, lines.join("\n"));
    return 0;
  } catch (err) {
    return reportError(io, outputOf(args), name, err);
  }
}

function reportFields(module: string, action: string, events: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  const pick = (field: string, type: string, key: string): void => {
    const v = findEventAttribute(events, type, key);
    if (v !== undefined) out[field] = v;
  };
  if (module === "compute" && action === "store") pick("code_id", "message", "code_id");
  if (module === "compute" && action === "instantiate") pick("contract_address", "message", "contract_address");
  if (module === "gov" && action === "submit-proposal") pick("proposal_id", "submit_proposal", "proposal_id");
  return out;
}
