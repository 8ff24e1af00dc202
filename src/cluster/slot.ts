/**
 * Cluster key slots: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key, or of its hash
 * tag, modulo 16 384 — the Redis Cluster specification's `HASH_SLOT`.
 *
 * The hash tag is the part between the first `{` and the first `}` after it, when that part is
 * not empty; otherwise the whole key is hashed. Keys are hashed as the bytes Redis receives:
 * strings as UTF-8 (ASCII strings without a copy), Buffers as they are, numbers in decimal.
 *
 * @module
 */
import type { RedisArgument } from "../protocol/values.js";

/** Slots in a Redis Cluster. */
export const SLOT_COUNT = 16_384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** CRC16/XMODEM of `bytes[start, end)`. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  return crc;
}

/** The slot of a key: see the module's description. */
export function keySlot(key: RedisArgument): number {
  if (typeof key === "string") return stringSlot(key);
  if (typeof key === "number" || typeof key === "bigint") return stringSlot(String(key));
  return bytesSlot(key);
}

function bytesSlot(bytes: Uint8Array): number {
  const open = bytes.indexOf(0x7b); // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) return crc16(bytes, open + 1, close) % SLOT_COUNT;
  }
  return crc16(bytes) % SLOT_COUNT;
}

function stringSlot(key: string): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf("{");
  if (open !== -1) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    const code = key.charCodeAt(i);
    // Anything beyond ASCII is hashed as its UTF-8 bytes, which needs an encoder.
    if (code >= 0x80) return bytesSlot(Buffer.from(key, "utf8"));
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ code) & 0xff] as number);
  }
  return crc % SLOT_COUNT;
}
