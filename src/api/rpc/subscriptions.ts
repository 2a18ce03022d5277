/**
 * Event subscriptions of WebSocket clients (CometBFT `rpc/core/events.go` and the event bus): one
 * listener on the node fans every committed block and tx out to the connections whose queries match.
 *
 * Per block the node's `NewBlock` becomes three events (`NewBlock`, `NewBlockHeader`,
 * `NewBlockEvents`), each tx one `Tx` event. Each message reuses the id of the `subscribe` request:
 * `{"jsonrpc":"2.0","id":<id>,"result":{"query","data":{"type","value"},"events":{…}}}`.
 */
import { toBase64 } from "../../primitives/base64.ts";
import type { Logger } from "../../primitives/observability.ts";
import type { ApiBackend, NodeEvent } from "../backend.ts";
import { RpcError, internalError } from "./errors.ts";
import {
  type JsonObject,
  blockIdJson,
  blockJson,
  eventAttributeMap,
  eventJson,
  eventMapJson,
  finalizeBlockJson,
  headerJson,
  hexUpper,
  txResultJson,
} from "./json.ts";
import { type EventQuery, QueryParseError, matchesEventQuery, parseEventQuery } from "./query.ts";
import type { SubscriptionSession } from "./methods.ts";

export type JsonRpcId = string | number;

/** CometBFT's limits (`config.RPCConfig`): queries of at most 512 characters, 5 per client. */
export const MAX_QUERY_LENGTH = 512;

export interface SubscriptionLimits {
  readonly maxSubscriptionsPerClient: number;
  /** A client that lets this much output pile up loses its subscriptions. */
  readonly maxBufferedBytes: number;
}

/** What the hub needs of a connection. */
export interface EventSink {
  send(text: string): void;
  bufferedBytes(): number;
}

interface Subscription {
  readonly query: EventQuery;
  readonly id: JsonRpcId;
}

interface Published {
  readonly data: JsonObject;
  readonly events: Map<string, string[]>;
}

class Client {
  readonly subscriptions = new Map<string, Subscription>();
  constructor(readonly sink: EventSink) {}
}

export class SubscriptionHub {
  private readonly clients = new Set<Client>();
  private readonly stopListening: () => void;

  constructor(
    backend: ApiBackend,
    private readonly limits: SubscriptionLimits,
    private readonly logger: Logger,
  ) {
    this.stopListening = backend.subscribe((event) => this.publish(event));
  }

  /** Registers a connection; returns its session factory (per request id) and its removal. */
  connect(sink: EventSink): { session(id: JsonRpcId): SubscriptionSession; disconnect(): void } {
    const client = new Client(sink);
    this.clients.add(client);
    return {
      session: (id) => ({
        subscribe: (query) => this.subscribe(client, id, query),
        unsubscribe: (query) => {
          if (!client.subscriptions.delete(query.trim())) throw internalError("subscription not found");
        },
        unsubscribeAll: () => {
          if (client.subscriptions.size === 0) throw internalError("subscription not found");
          client.subscriptions.clear();
        },
      }),
      disconnect: () => {
        client.subscriptions.clear();
        this.clients.delete(client);
      },
    };
  }

  close(): void {
    this.stopListening();
    this.clients.clear();
  }

  private subscribe(client: Client, id: JsonRpcId, text: string): void {
    if (text.length > MAX_QUERY_LENGTH) throw internalError("maximum query length exceeded");
    let query: EventQuery;
    try {
      query = parseEventQuery(text);
    } catch (e) {
      if (e instanceof QueryParseError) throw internalError(e.message);
      throw e;
    }
    const key = text.trim();
    if (client.subscriptions.has(key)) throw internalError("already subscribed");
    if (client.subscriptions.size >= this.limits.maxSubscriptionsPerClient) {
      throw internalError(`max_subscriptions_per_client ${this.limits.maxSubscriptionsPerClient} reached`);
    }
    client.subscriptions.set(key, { query, id });
  }

  private publish(event: NodeEvent): void {
    // Encoding every block and tx costs even when nobody listens: only with a subscription.
    let anySubscription = false;
    for (const client of this.clients) if (client.subscriptions.size > 0) anySubscription = true;
    if (!anySubscription) return;
    let published: Published[];
    try {
      published = toPublished(event);
    } catch (e) {
      this.logger.error("rpc: cannot encode an event for subscribers", { error: String(e) });
      return;
    }
    for (const client of this.clients) {
      for (const [key, sub] of client.subscriptions) {
        for (const p of published) {
          if (!matchesEventQuery(sub.query, p.events)) continue;
          if (client.sink.bufferedBytes() > this.limits.maxBufferedBytes) {
            client.subscriptions.delete(key);
            const err = new RpcError(
              "RPC_SERVER_ERROR",
              "subscription was canceled (reason: client is not pulling messages fast enough)",
            );
            client.sink.send(JSON.stringify({ jsonrpc: "2.0", id: sub.id, error: err.toJson() }));
            break;
          }
          const result = { query: sub.query.text, data: p.data, events: eventMapJson(p.events) };
          client.sink.send(JSON.stringify({ jsonrpc: "2.0", id: sub.id, result }));
        }
      }
    }
  }
}

function withEventType(events: Map<string, string[]>, type: string): Map<string, string[]> {
  const list = events.get("tm.event");
  if (list === undefined) events.set("tm.event", [type]);
  else list.push(type);
  return events;
}

/** The CometBFT events a node event stands for, with their query maps. */
export function toPublished(event: NodeEvent): Published[] {
  if (event.type === "Tx") {
    const t = event.tx;
    const events = withEventType(eventAttributeMap(t.result.events), "Tx");
    events.set("tx.hash", [...(events.get("tx.hash") ?? []), hexUpper(t.hash)]);
    events.set("tx.height", [...(events.get("tx.height") ?? []), String(t.height)]);
    const data = {
      type: "tendermint/event/Tx",
      value: {
        TxResult: { height: String(t.height), index: t.index, tx: toBase64(t.tx), result: txResultJson(t.result) },
      },
    };
    return [{ data, events }];
  }
  const { block, results } = event;
  const newBlock: Published = {
    data: {
      type: "tendermint/event/NewBlock",
      value: {
        block: blockJson(block),
        block_id: blockIdJson(block.blockId),
        result_finalize_block: finalizeBlockJson(results),
      },
    },
    events: withEventType(eventAttributeMap(results.finalizeBlockEvents), "NewBlock"),
  };
  const header: Published = {
    data: { type: "tendermint/event/NewBlockHeader", value: { header: headerJson(block.header) } },
    events: withEventType(new Map(), "NewBlockHeader"),
  };
  const blockEvents: Published = {
    data: {
      type: "tendermint/event/NewBlockEvents",
      value: {
        height: block.header.height.toString(),
        events: results.finalizeBlockEvents.map(eventJson),
        num_txs: String(block.txs.length),
      },
    },
    events: withEventType(eventAttributeMap(results.finalizeBlockEvents), "NewBlockEvents"),
  };
  return [newBlock, header, blockEvents];
}
