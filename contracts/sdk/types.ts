// Typed views of the v1 `env`, `info`, reply and the shared value types (coins, attributes, events).

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { JsonValue, JsonWriter } from "./json";
import { U128 } from "./u128";

export class Coin {
  constructor(
    public denom: string,
    public amount: U128,
  ) {}

  static fromJson(v: JsonValue): Coin {
    return new Coin(v.getStr("denom"), v.getU128("amount"));
  }

  writeTo(w: JsonWriter): void {
    w.beginObject().propString("denom", this.denom).propU128("amount", this.amount).endObject();
  }
}

export function coin(amount: u64, denom: string): Coin {
  return new Coin(denom, U128.fromU64(amount));
}

export function writeCoins(w: JsonWriter, coins: Array<Coin>): void {
  w.beginArray();
  for (let i = 0; i < coins.length; i++) coins[i].writeTo(w);
  w.endArray();
}

export function parseCoins(v: JsonValue): Array<Coin> {
  const items = v.array();
  const out = new Array<Coin>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = Coin.fromJson(items[i]);
  return out;
}

/** A key/value pair of an event. `encrypted` (default) attributes are encrypted for the tx sender. */
export class Attribute {
  constructor(
    public key: string,
    public value: string,
    public encrypted: bool = true,
  ) {}

  writeTo(w: JsonWriter): void {
    w.beginObject()
      .propString("key", this.key)
      .propString("value", this.value)
      .propBool("encrypted", this.encrypted)
      .endObject();
  }
}

/** A custom event; the chain emits it as `wasm-<type>`. */
export class Event {
  attributes: Array<Attribute> = new Array<Attribute>();

  constructor(public type: string) {}

  addAttribute(key: string, value: string): Event {
    this.attributes.push(new Attribute(key, value, true));
    return this;
  }

  addAttributePlaintext(key: string, value: string): Event {
    this.attributes.push(new Attribute(key, value, false));
    return this;
  }

  /** The value of the first attribute named `key`, or null. */
  attribute(key: string): string | null {
    for (let i = 0; i < this.attributes.length; i++) {
      if (this.attributes[i].key === key) return this.attributes[i].value;
    }
    return null;
  }

  writeTo(w: JsonWriter): void {
    w.beginObject().propString("type", this.type).key("attributes").beginArray();
    for (let i = 0; i < this.attributes.length; i++) this.attributes[i].writeTo(w);
    w.endArray().endObject();
  }
}

export class BlockInfo {
  height: u64 = 0;
  /** Nanoseconds since the Unix epoch. */
  time: u64 = 0;
  chainId: string = "";
  /**
   * 32 bytes of per-call randomness, present in instantiate/execute/migrate/reply when the contract
   * exports `requires_random`. Queries carry the placeholder (one zero byte).
   */
  random: Uint8Array | null = null;

  /** Whole seconds since the Unix epoch. */
  get timeSeconds(): u64 {
    return this.time / 1000000000;
  }
}

export class ContractInfo {
  address: string = "";
  codeHash: string = "";
}

export class TransactionInfo {
  index: u32 = 0;
  /** Upper-case hex sha256 of the tx bytes. */
  hash: string = "";
}

/** The v1 `env` argument. */
export class Env {
  block: BlockInfo = new BlockInfo();
  contract: ContractInfo = new ContractInfo();
  /** Null in queries and simulations. */
  transaction: TransactionInfo | null = null;

  static fromJson(v: JsonValue): Env {
    const env = new Env();
    const block = v.getObject("block");
    env.block.height = block.getU64("height");
    env.block.time = block.getU64("time");
    env.block.chainId = block.getStr("chain_id");
    env.block.random = block.optBinary("random");
    const contract = v.getObject("contract");
    env.contract.address = contract.getStr("address");
    const codeHash = contract.optStr("code_hash");
    env.contract.codeHash = codeHash !== null ? codeHash : "";
    if (v.has("transaction")) {
      const tx = v.getObject("transaction");
      const t = new TransactionInfo();
      t.index = tx.getU32("index");
      const hash = tx.optStr("hash");
      t.hash = hash !== null ? hash : "";
      env.transaction = t;
    }
    return env;
  }
}

/** The v1 `info` argument: who sent the message and which funds came with it. */
export class MessageInfo {
  sender: string = "";
  funds: Array<Coin> = new Array<Coin>();

  static fromJson(v: JsonValue): MessageInfo {
    const info = new MessageInfo();
    info.sender = v.getStr("sender");
    info.funds = parseCoins(v.field("funds"));
    return info;
  }

  /** The amount of `denom` sent (zero when none). */
  fundsOf(denom: string): U128 {
    let total = U128.zero();
    for (let i = 0; i < this.funds.length; i++) {
      if (this.funds[i].denom === denom) total = total.saturatingAdd(this.funds[i].amount);
    }
    return total;
  }
}

/** The `reply` entry point's argument: the outcome of a sub-message sent with `reply_on` ≠ never. */
export class Reply {
  id: u64 = 0;
  /** True for `{"ok":{…}}`, false for `{"error":"…"}`. */
  isOk: bool = false;
  /** Events of the sub-call (ok only). Encrypted attributes arrive as base64 ciphertext. */
  events: Array<Event> = new Array<Event>();
  /** The callee's data (ok only), or null. */
  data: Uint8Array | null = null;
  /** The error text (error only). */
  error: string = "";

  static fromJson(v: JsonValue): Reply {
    const r = new Reply();
    r.id = v.getU64("id");
    const result = v.getObject("result");
    if (result.get("ok") !== null) {
      r.isOk = true;
      const ok = result.getObject("ok");
      const events = ok.getArray("events");
      for (let i = 0; i < events.length; i++) {
        const e = new Event(events[i].getStr("type"));
        const attrs = events[i].getArray("attributes");
        for (let j = 0; j < attrs.length; j++) {
          e.attributes.push(new Attribute(attrs[j].getStr("key"), attrs[j].getStr("value"), false));
        }
        r.events.push(e);
      }
      r.data = ok.optBinary("data");
    } else if (result.get("error") !== null) {
      r.error = result.getStr("error");
    } else {
      result.fail("unknown variant, expected `ok` or `error`");
    }
    return r;
  }
}
