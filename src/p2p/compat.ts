/**
 * Runtime shims the libp2p packages need on Node 20. libp2p 3 (it-queue, @libp2p/utils, yamux) calls
 * `Promise.withResolvers`, which Node has only from 22; the project supports Node >= 20.19. Imported
 * for its side effect by `libp2pNode.ts` before any libp2p code runs; a no-op where the runtime has it.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseCtor = Promise as unknown as { withResolvers?: unknown };

if (typeof promiseCtor.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): Resolvers<T> {
      let resolve!: Resolvers<T>["resolve"];
      let reject!: Resolvers<T>["reject"];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
