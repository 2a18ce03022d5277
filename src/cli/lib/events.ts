/** Reading tx events from LCD JSON (`[{type, attributes:[{key, value}]}]`): first match wins, as secretjs. */
export function findEventAttribute(events: readonly unknown[], type: string, key: string): string | undefined {
  for (const e of events) {
    if (typeof e !== "object" || e === null) continue;
    const ev = e as { type?: unknown; attributes?: unknown };
    if (ev.type !== type || !Array.isArray(ev.attributes)) continue;
    for (const a of ev.attributes as unknown[]) {
      if (typeof a !== "object" || a === null) continue;
      const attr = a as { key?: unknown; value?: unknown };
      if (attr.key === key && typeof attr.value === "string") return attr.value;
    }
  }
  return undefined;
}
