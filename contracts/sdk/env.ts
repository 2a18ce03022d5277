// Host imports of the Secret CosmWasm v1 ABI (`interface_version_8`).
//
// AssemblyScript imports a `declare`d function from a module named after the declaring file, so this
// file must stay named `env.ts`: every function here is imported as `env.<name>`. Only the functions
// a contract actually calls appear as imports in its binary. Pointers are Region pointers (see abi.ts).
// The list is exactly the v1 allowlist accepted at store time (no `abort`, `trace`, `seed`,
// `db_scan`/`db_next`, `dcap_quote_verify`).

/** Region ptr of the value, or 0 when the key is absent. */
export declare function db_read(key: usize): usize;
export declare function db_write(key: usize, value: usize): void;
export declare function db_remove(key: usize): void;

/** 0 on success, else a Region ptr holding the error text. */
export declare function addr_validate(human: usize): usize;
/** Writes into the `canonical` Region; 0 on success, else a Region ptr holding the error text. */
export declare function addr_canonicalize(human: usize, canonical: usize): usize;
/** Writes into the `human` Region; 0 on success, else a Region ptr holding the error text. */
export declare function addr_humanize(canonical: usize, human: usize): usize;

/** 0 valid, 1 invalid, else an error code. */
export declare function secp256k1_verify(hash: usize, signature: usize, pubkey: usize): u32;
/** Packed: high 32 bits error code (0 = ok), low 32 bits Region ptr of the 33-byte compressed key. */
export declare function secp256k1_recover_pubkey(hash: usize, signature: usize, recoveryParam: u32): u64;
/** 0 valid, 1 invalid, else an error code. */
export declare function ed25519_verify(message: usize, signature: usize, pubkey: usize): u32;
/** Arguments are Regions of sections (items each followed by a big-endian u32 length). */
export declare function ed25519_batch_verify(messages: usize, signatures: usize, pubkeys: usize): u32;
/** Packed result (see secp256k1_recover_pubkey); signs sha256(message). */
export declare function secp256k1_sign(message: usize, privateKey: usize): u64;
/** Packed result (see secp256k1_recover_pubkey). */
export declare function ed25519_sign(message: usize, privateKey: usize): u64;

/** Wasm gas used so far / 1000. */
export declare function check_gas(): u64;
export declare function gas_evaporate(amount: u32): u32;

/** Logs on debug-print nodes; free. */
export declare function debug(message: usize): void;

/** Region ptr of the JSON answer envelope. */
export declare function query_chain(request: usize): usize;
