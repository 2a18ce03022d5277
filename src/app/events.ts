/** ABCI events (chain-api.md §5): a type and ordered string attributes, all indexed. */

export interface EventAttribute {
  readonly key: string;
  readonly value: string;
  readonly index: boolean;
}

export interface AppEvent {
  readonly type: string;
  readonly attributes: readonly EventAttribute[];
}

/** An indexed attribute (as every attribute the app emits). */
export function attribute(key: string, value: string): EventAttribute {
  return { key, value, index: true };
}

/** An event from `[key, value]` pairs, in order. */
export function createEvent(type: string, ...pairs: ReadonlyArray<readonly [string, string]>): AppEvent {
  const attributes: EventAttribute[] = [];
  for (const [key, value] of pairs) attributes.push(attribute(key, value));
  return { type, attributes };
}

/** The same event with one more attribute at the end. */
export function appendAttribute(event: AppEvent, key: string, value: string): AppEvent {
  const attributes = event.attributes.slice();
  attributes.push(attribute(key, value));
  return { type: event.type, attributes };
}

/** Collects the events of one execution scope (ante, a message, a block). */
export class EventManager {
  private readonly list: AppEvent[] = [];

  emit(event: AppEvent): void {
    this.list.push(event);
  }

  emitAll(events: readonly AppEvent[]): void {
    for (const e of events) this.list.push(e);
  }

  get events(): readonly AppEvent[] {
    return this.list;
  }
}
