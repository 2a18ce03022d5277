/**
 * `scrt register --home H --node URL --from KEY [--authority-key FILE]`: registers the enclave of a home
 * made by `scrt init --genesis FILE` with a running network, on chain (upstream's `secretd tx register
 * auth` + fetching the node's seed + `secretd configure-secret`, in one step): the enclave attests its
 * registration key, a `RaAuthenticate` tx signed by KEY goes to the node's RPC, and the encrypted seed
 * the network stored for the key is given to the enclave, which seals it. See src/node/join.ts.
 *
 * A command of its own rather than `scrt tx register auth`: it drives the home's enclave before and
 * after the tx, and talks to the RPC only (no LCD).
 */
import { existsSync } from "node:fs";
import { parseGasPrice } from "../../client/tx.ts";
import { NodeError } from "../../node/errors.ts";
import { homePaths } from "../../node/paths.ts";
import { toHex } from "../../primitives/hex.ts";
import { flagString, parseUintArg } from "../lib/args.ts";
import {
  COMMON_FLAGS,
  confirmOrAbort,
  openKeyring,
  outputOf,
  parseSubcommand,
  printResult,
  readPassphrase,
  reportError,
} from "../lib/context.ts";
import { CliError } from "../lib/errors.ts";
import { type CliIo, processIo } from "../lib/io.ts";
import { defaultHome } from "./init.ts";

const USAGE = `Usage: scrt register --home DIR --node URL --from KEY [options]

Registers this home's enclave with a running network (on-chain remote attestation) and seals the
network seeds it receives; run it once after 'scrt init --genesis FILE', then 'scrt start'.

  --home DIR               the joining node's home (default $SCRT_HOME or ~/.scrt)
  --node URL               a running node's Tendermint RPC (default $SCRT_NODE or http://127.0.0.1:26657)
  --from KEY               funded key (keyring name) that signs and pays for the RaAuthenticate tx
  --authority-key FILE     attestation authority key file (default <home>/config/dev_authority_key.json)
  --gas N                  gas limit (default 200000)
  --gas-prices P           fee per gas unit (default 0.1uscrt)
  --fees AMOUNT            a fixed fee in uscrt instead (e.g. 20000uscrt)
  --keyring-dir DIR --keyring-backend file|test --passphrase-file F
  --output json|text --timeout SECONDS --yes (no confirmation on a terminal)
`;

// The chain id comes from the home's genesis (checked against the node's), and only the RPC is used.
const { lcd: _lcd, "chain-id": _chainId, ...SHARED_FLAGS } = COMMON_FLAGS;

const FLAGS = {
  ...SHARED_FLAGS,
  home: "string",
  "authority-key": "string",
  gas: "string",
  "gas-prices": "string",
  fees: "string",
} as const;

export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const parsed = parseSubcommand(args, FLAGS, io, USAGE);
    if (parsed === undefined) return 0;
    const { p, c } = parsed;
    if (p.positionals.length > 0) throw new CliError("CLI_USAGE", `unexpected argument '${p.positionals[0]!}'`);
    if (c.from === undefined) throw new CliError("CLI_USAGE", "--from KEY is required (it pays the registration fee)");
    const home = flagString(p, "home") ?? (io.env["SCRT_HOME"] || defaultHome(false));
    const gasText = flagString(p, "gas");
    const gas = gasText === undefined ? undefined : parseUintArg(gasText, "--gas");
    if (gas === 0n) throw new CliError("CLI_USAGE", "--gas must be positive");
    const pricesText = flagString(p, "gas-prices");
    const gasPrice = pricesText === undefined ? undefined : parseGasPrice(pricesText);
    const feesText = flagString(p, "fees");
    let feeUscrt: bigint | undefined;
    if (feesText !== undefined) {
      const m = /^(0|[1-9][0-9]{0,30})uscrt$/.exec(feesText);
      if (m === null) throw new CliError("CLI_USAGE", "--fees is an amount of uscrt, e.g. 20000uscrt");
      feeUscrt = BigInt(m[1]!);
    }
    if (feeUscrt !== undefined && gasPrice !== undefined)
      throw new CliError("CLI_USAGE", "give --fees or --gas-prices, not both");
    const authorityKeyFile = flagString(p, "authority-key");

    if (!existsSync(homePaths(home).genesis)) {
      throw new NodeError(
        "NODE_HOME_MISSING",
        `${homePaths(home).genesis} not found: make the home with 'scrt init --genesis FILE --home ${home}' first`,
      );
    }

    const keyring = openKeyring(c);
    const info = keyring.show(c.from);
    const key = await keyring.unlock(c.from, info.backend === "file" ? await readPassphrase(io, c) : undefined);

    if (c.output === "text") io.stderr(`register ${home} with ${c.node}, fee paid by ${key.address}\n`);
    await confirmOrAbort(io, c, "Sign and broadcast the registration?");
    const { registerOnChain } = await import("../../node/join.ts");
    const steps = {
      attest: "attesting the enclave's registration key",
      broadcast: "broadcasting RaAuthenticate",
      wait: "waiting for a block",
      seed: "fetching the encrypted seed",
      accept: "sealing the network seeds",
    } as const;
    const r = await registerOnChain({
      home,
      node: c.node,
      signer: key,
      requestTimeoutMs: c.timeoutMs,
      waitTimeoutMs: Math.max(c.timeoutMs, 60_000),
      ...(authorityKeyFile === undefined ? {} : { authorityKeyFile }),
      ...(gas === undefined ? {} : { gas }),
      ...(gasPrice === undefined ? {} : { gasPrice }),
      ...(feeUscrt === undefined ? {} : { feeUscrt }),
      onStep: (s) => {
        if (c.output === "text") io.stderr(`${steps[s]}…\n`);
      },
    });
    const json = {
      chain_id: r.chainId,
      registration_key: toHex(r.registrationPublicKey),
      ...(r.tx === undefined ? {} : { txhash: r.tx.hash, height: r.tx.height }),
      encrypted_seed: toHex(r.encryptedSeed),
      seeds: r.encryptedSeed.length / 48,
      io_exch_key: toHex(r.ioExchKey),
    };
    const lines = [
      `registered ${home} on ${r.chainId}`,
      `  registration key  ${json.registration_key}`,
      r.tx === undefined
        ? "  (the chain already held this key's seed)"
        : `  txhash            ${r.tx.hash} (block ${r.tx.height})`,
      `  seeds             ${json.seeds} sealed in ${home}/enclave`,
      `next: scrt start --home ${home} --persistent-peers <node id>@<host>:<p2p port>`,
    ];
    printResult(io, c.output, json, lines.join("\n"));
    return 0;
  } catch (err) {
    return reportError(io, outputOf(args), "register", err);
  }
}
