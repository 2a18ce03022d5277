/**
 * The libp2p types this layer uses, derived from the packages it depends on directly (`libp2p`,
 * `@libp2p/peer-id`, `@libp2p/crypto`) rather than imported from the transitive `@libp2p/interface`.
 */
import type { Libp2p } from "libp2p";
import type { peerIdFromString } from "@libp2p/peer-id";
import type { privateKeyFromRaw } from "@libp2p/crypto/keys";

export type PeerId = ReturnType<typeof peerIdFromString>;
export type PrivateKey = ReturnType<typeof privateKeyFromRaw>;
export type Connection = Awaited<ReturnType<Libp2p["dial"]>>;
export type Stream = Awaited<ReturnType<Libp2p["dialProtocol"]>>;
