/**
 * One message through the enclave's IO path: decrypt an input envelope (X25519 + HKDF + AES-SIV open)
 * and encrypt its output (AES-SIV seal), against secretjs's own EncryptionUtilsImpl doing the mirror
 * work on the client (encrypt a message, decrypt an answer) in the same run.
 */
import { createRequire } from "node:module";
import { decryptInputEnvelope, encryptInputEnvelope } from "../src/enclave/io.ts";
import { KeyChain } from "../src/enclave/keys.ts";
import { encryptData } from "../src/enclave/outputs.ts";
import { utf8Encode } from "../src/primitives/bytes.ts";
import { type BenchRow, measure } from "./harness.ts";

interface SecretjsEncryption {
  consensusIoPubKey: Uint8Array;
  encrypt(codeHash: string, msg: object): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
}

const require = createRequire(import.meta.url);
const { EncryptionUtilsImpl } = require("secretjs") as {
  EncryptionUtilsImpl: new (url: string, seed?: Uint8Array) => SecretjsEncryption;
};

export async function envelopeBenchmarks(): Promise<BenchRow[]> {
  const keys = KeyChain.fromSeeds([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
  const ioPk = keys.publicKeys().ioExchKey;
  const clientSk = new Uint8Array(32).fill(9);
  const codeHash = "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";
  const message = { transfer: { recipient: "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03", amount: "1000" } };
  const nonce = new Uint8Array(32).fill(7);
  const envelope = encryptInputEnvelope(ioPk, clientSk, nonce, codeHash, utf8Encode(JSON.stringify(message)));
  const data = utf8Encode('{"transfer":{"status":"success"}}');

  const ours = await measure(() => {
    const input = decryptInputEnvelope(keys, envelope, { allowPlaintextFallback: false });
    return encryptData(input.txKey, data);
  });

  // secretjs on the client: encrypt a message for the chain's IO key, decrypt an answer under it.
  const client = new EncryptionUtilsImpl("http://127.0.0.1:1", new Uint8Array(32).fill(9));
  client.consensusIoPubKey = ioPk;
  const answer = encryptData(decryptInputEnvelope(keys, envelope, { allowPlaintextFallback: false }).txKey, data);
  const baseline = await measure(async () => {
    await client.encrypt(codeHash, message);
    return client.decrypt(answer, nonce);
  });
  return [
    {
      name: "envelope decrypt + output encrypt per message (X25519 + HKDF + AES-SIV)",
      ours,
      baseline,
      baselineName: "secretjs 1.22.1 EncryptionUtilsImpl encrypt + decrypt",
      unit: "msgs/s",
      higherIsBetter: true,
      target: "informational",
    },
  ];
}
