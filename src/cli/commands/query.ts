/**
 * `scrt query`: read the chain through the LCD (and the RPC for blocks). Smart queries are encrypted
 * and their answers decrypted; `query tx` decrypts the compute inputs and outputs of any key in the
 * keyring. See src/cli/README.md.
 */
import { ClientError } from "../../client/errors.ts";
import { ClientEncryption, decryptQueryError } from "../../client/encryption.ts";
import { parseUserJson } from "../../client/json.ts";
import { addressBytes } from "../../client/msgs/compute.ts";
import { decodeTxResult, envelopePublicKeys } from "../../client/txResults.ts";
import { randomBytes } from "../../crypto/index.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import { expectPositionals, flagBool, flagString, parseUintArg } from "../lib/args.ts";
import {
  COMMON_FLAGS,
  parseSubcommand,
  lcdClient,
  openKeyring,
  outputOf,
  printResult,
  readPassphrase,
  reportError,
  rpcClient,
  toJson,
} from "../lib/context.ts";
import { CliError } from "../lib/errors.ts";
import { type CliIo, processIo } from "../lib/io.ts";

const USAGE = `Usage: scrt query <module> <what> [arguments] [options]

  bank balances ADDR [--denom D]       balances of an account
  auth account ADDR                    account number, sequence, public key
  tx HASH                              a tx with its result; compute inputs and outputs of your
                                       own keys are decrypted (needs the keyring passphrase)
  compute contract ADDR                contract info
  compute query CONTRACT JSON [--from KEY]
                                       encrypted smart query; the answer is decrypted
  compute code CODE_ID                 code info (hash, creator, source, builder)
  block [HEIGHT]                       a block from the RPC (latest by default)

Options: --lcd URL --node URL --output json|text --keyring-dir DIR --passphrase-file F --timeout S
         --code-hash HEX (compute query: skip fetching it)
`;

const FLAGS = { ...COMMON_FLAGS, denom: "string", "code-hash": "string", "no-decrypt": "boolean" } as const;

export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [module, ...afterModule] = args;
  if (module === undefined || module === "--help" || module === "-h" || module === "help") {
    io.stdout(USAGE);
    return module === undefined ? 2 : 0;
  }
  const single = module === "tx" || module === "block";
  const what = single ? undefined : afterModule[0];
  const rest = single ? afterModule : afterModule.slice(1);
  const name = `query ${module}${what === undefined ? "" : ` ${what}`}`;
  try {
    const parsed = parseSubcommand(rest, FLAGS, io, USAGE);
    if (parsed === undefined) return 0;
    const { p, c } = parsed;
    const lcd = lcdClient(c);
    switch (single ? module : `${module} ${what ?? ""}`) {
      case "bank balances": {
        const [address] = expectPositionals(p, ["ADDR"]);
        addressBytes(address!, "address");
        const denom = flagString(p, "denom");
        const balances = denom === undefined ? await lcd.balances(address!) : [await lcd.balance(address!, denom)];
        printResult(
          io,
          c.output,
          { balances },
          balances.length === 0 ? "no balances" : balances.map((b) => `${b.amount}${b.denom}`).join("\n"),
        );
        return 0;
      }
      case "auth account": {
        const [address] = expectPositionals(p, ["ADDR"]);
        addressBytes(address!, "address");
        const account = await lcd.account(address!);
        if (account === undefined) throw new ClientError("CLIENT_NOT_FOUND", `account ${address!} not found`);
        printResult(
          io,
          c.output,
          { account: account.raw },
          `address: ${account.address}\naccount_number: ${account.accountNumber}\nsequence: ${account.sequence}`,
        );
        return 0;
      }
      case "tx": {
        const [hash] = expectPositionals(p, ["HASH"]);
        const body = await lcd.tx(hash!);
        if (body === undefined) throw new ClientError("CLIENT_NOT_FOUND", `tx ${hash!.toUpperCase()} not found`);
        const identities: { name: string; enc: ClientEncryption }[] = [];
        if (!flagBool(p, "no-decrypt")) {
          const keyring = openKeyring(c);
          const pks = envelopePublicKeys(body);
          const mine =
            pks.length === 0
              ? []
              : keyring.list().filter((k) => pks.some((pk) => bytesEqual(pk, k.encryptionPublicKey)));
          if (mine.length > 0) {
            const ioKey = await lcd.txKey();
            let passphrase: string | undefined;
            for (const info of mine) {
              try {
                if (info.backend === "file") passphrase ??= await readPassphrase(io, c);
                const key = await keyring.unlock(info.name, info.backend === "file" ? passphrase : undefined);
                identities.push({ name: key.name, enc: new ClientEncryption(key.encryptionSeed, ioKey) });
              } catch (err) {
                // Without the passphrase the tx is still shown, encrypted.
                if (!(err instanceof ClientError && err.code === "CLIENT_PASSPHRASE_REQUIRED")) throw err;
                io.stderr(
                  `note: key '${info.name}' made this tx; give its passphrase to decrypt the contract outputs\n`,
                );
              }
            }
          }
        }
        const decoded = decodeTxResult(body, (pk) => identities.find((i) => bytesEqual(i.enc.publicKey, pk)));
        const lines = [
          `txhash: ${decoded.txhash}`,
          `height: ${decoded.height}`,
          `code: ${decoded.code}${decoded.codespace === "" ? "" : ` (${decoded.codespace})`}`,
          `gas: ${decoded.gasUsed}/${decoded.gasWanted}`,
          `timestamp: ${decoded.timestamp}`,
        ];
        if (decoded.rawLog !== "") lines.push(`raw_log: ${decoded.rawLog}`);
        for (const m of decoded.messages) {
          lines.push(`message ${m.index}: ${m.type}`);
          if (m.input !== undefined)
            lines.push(`  input (decrypted with '${m.encryptedBy ?? ""}'): ${JSON.stringify(m.input.msg)}`);
        }
        for (const d of decoded.data) lines.push(`data ${d.index}: ${d.data}`);
        printResult(io, c.output, decoded, lines.join("\n"));
        return 0;
      }
      case "compute contract": {
        const [address] = expectPositionals(p, ["ADDR"]);
        addressBytes(address!, "contract");
        const info = await lcd.contractInfo(address!);
        printResult(io, c.output, info, toJson(info));
        return 0;
      }
      case "compute code": {
        const [id] = expectPositionals(p, ["CODE_ID"]);
        const info = await lcd.codeInfo(parseUintArg(id!, "CODE_ID"));
        printResult(io, c.output, info, toJson(info));
        return 0;
      }
      case "compute query": {
        const [contract, json] = expectPositionals(p, ["CONTRACT", "JSON"]);
        addressBytes(contract!, "contract");
        const text = json!.trim();
        parseUserJson(text, "the query");
        let seed: Uint8Array;
        if (c.from !== undefined) {
          const keyring = openKeyring(c);
          const info = keyring.show(c.from);
          seed = (await keyring.unlock(c.from, info.backend === "file" ? await readPassphrase(io, c) : undefined))
            .encryptionSeed;
        } else {
          seed = randomBytes(32);
        }
        const codeHash = flagString(p, "code-hash") ?? (await lcd.codeHashByContract(contract!));
        const enc = new ClientEncryption(seed, await lcd.txKey());
        const envelope = enc.encrypt(codeHash, text);
        const nonce = envelope.slice(0, 32);
        let answer: Uint8Array;
        try {
          answer = await lcd.querySecretContract(contract!, envelope);
        } catch (err) {
          if (err instanceof ClientError && (err.code === "CLIENT_HTTP_ERROR" || err.code === "CLIENT_NOT_FOUND")) {
            const message = typeof err.details?.["message"] === "string" ? err.details["message"] : err.message;
            const plain = decryptQueryError(enc, message, nonce);
            if (plain !== undefined)
              throw new ClientError("CLIENT_QUERY_FAILED", `query failed: ${plain}`, { error: plain });
          }
          throw err;
        }
        const result = enc.decryptQueryAnswer(answer, nonce);
        printResult(io, c.output, result, typeof result === "string" ? result : JSON.stringify(result, null, 2));
        return 0;
      }
      case "block": {
        const [h] = expectPositionals(p, ["HEIGHT"], 1);
        const height = h === undefined ? undefined : parseUintArg(h, "HEIGHT");
        const block = await rpcClient(c).block(height);
        printResult(io, c.output, block, toJson(block));
        return 0;
      }
      default:
        throw new CliError("CLI_USAGE", `unknown query '${name}'`);
    }
  } catch (err) {
    return reportError(io, outputOf(args), name, err);
  }
}
