/**
 * SIGN_MODE_LEGACY_AMINO_JSON sign bytes (chain-api.md §2.3): the amino JSON sign document rebuilt from
 * the protobuf tx, keys sorted at every level, no whitespace, `<` `>` `&` escaped as Go does. Only
 * messages whose service declares an amino form can be signed this way; any extension option makes
 * the mode fail.
 */
import { concatBytes, utf8Decode, utf8Encode } from "../primitives/bytes.ts";
import { coinsToProto } from "./coins.ts";
import type { DecodedTx } from "./txDecode.ts";

/** JSON with sorted object keys and Go's HTML escaping. */
export function sortedJson(value: unknown): string {
  const walk = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(walk).join(",")}]`;
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${walk(o[k])}`).join(",")}}`;
    }
    return JSON.stringify(v);
  };
  return walk(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** The sign bytes, or undefined when the tx cannot be signed in this mode. */
export function signBytesAminoJson(
  tx: DecodedTx,
  chainId: string,
  accountNumber: bigint,
  sequence: bigint,
): Uint8Array | undefined {
  if (tx.body.extensionOptions.length > 0 || tx.body.nonCriticalExtensionOptions.length > 0) return undefined;
  const msgs: unknown[] = [];
  for (const m of tx.msgs) {
    const amino = m.service.aminoJson?.(m.msg);
    if (amino === undefined) return undefined;
    msgs.push(amino);
  }
  const rawFee = tx.authInfo.fee;
  const fee: Record<string, unknown> = {
    amount: coinsToProto(tx.fee.amount).map((c) => ({ amount: c.amount, denom: c.denom })),
    gas: tx.fee.gasLimit.toString(),
  };
  if (rawFee !== undefined && rawFee.payer !== "") fee.payer = rawFee.payer;
  if (rawFee !== undefined && rawFee.granter !== "") fee.granter = rawFee.granter;
  const doc: Record<string, unknown> = {
    account_number: accountNumber.toString(),
    chain_id: chainId,
    fee,
    memo: tx.body.memo,
    msgs,
    sequence: sequence.toString(),
  };
  if (tx.body.timeoutHeight > 0n) doc.timeout_height = tx.body.timeoutHeight.toString();
  return utf8Encode(sortedJson(doc));
}

/** Go's `json.Indent(dst, src, "", "    ")` of compact JSON: escapes are kept as they are. */
export function indentJson(compact: string, indent = "    "): string {
  let out = "";
  let depth = 0;
  let inString = false;
  let needIndent = false;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += compact[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (needIndent && c !== "]" && c !== "}") {
      needIndent = false;
      depth++;
      out += `\n${indent.repeat(depth)}`;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "{" || c === "[") {
      out += c;
      needIndent = true;
    } else if (c === "}" || c === "]") {
      if (needIndent) needIndent = false;
      else {
        depth--;
        out += `\n${indent.repeat(depth)}`;
      }
      out += c;
    } else if (c === ",") {
      out += `,\n${indent.repeat(depth)}`;
    } else if (c === ":") {
      out += ": ";
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * SIGN_MODE_EIP_191 (Secret, MetaMask): `"\x19Ethereum Signed Message:\n" ‖ len ‖ J`, J the amino JSON
 * sign document indented with 4 spaces; verified over keccak256 (chain-api.md §2.3).
 */
export function signBytesEip191(
  tx: DecodedTx,
  chainId: string,
  accountNumber: bigint,
  sequence: bigint,
): Uint8Array | undefined {
  const amino = signBytesAminoJson(tx, chainId, accountNumber, sequence);
  if (amino === undefined) return undefined;
  const doc = utf8Encode(indentJson(utf8Decode(amino)));
  return concatBytes(utf8Encode(`\x19Ethereum Signed Message:\n${doc.length}`), doc);
}
