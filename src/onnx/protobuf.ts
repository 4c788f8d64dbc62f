/**
 * A small protobuf wire-format reader and writer, enough for the ONNX subset rectify reads and writes. The reader
 * checks every length against the bytes that are left before it slices or allocates, so a truncated or hostile file
 * fails with an {@link OnnxError} instead of trapping, hanging or allocating gigabytes.
 * @module
 */
import { OnnxError } from '../errors.js';

/** Wire types of the protobuf encoding. */
export const enum Wire { Varint = 0, I64 = 1, Len = 2, I32 = 5 }

/** One field as read: its number, wire type and value (a number for varints and fixed32/64, a byte view for Len). */
export interface Field {
  readonly no: number;
  readonly wire: Wire;
  /** Varint (as a JS number, exact up to 2^53; larger values are refused) or the raw fixed32 / fixed64 bits. */
  readonly num: number;
  /** Payload of a length-delimited field (a view, not a copy). */
  readonly bytes: Uint8Array;
  /** Byte offset of the field within the whole file, for error messages. */
  readonly at: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Reads the fields of one message. `base` is the message's offset in the file (for messages). Groups (wire types 3
 * and 4) are refused: ONNX does not use them.
 */
export function readFields(buf: Uint8Array, base: number, what: string): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const slot = { v: 0 };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const varint = (): number => {
    const r = decodeVarint(buf, pos, slot);
    if (r < 0) throw new OnnxError(`${r === -1 ? 'truncated' : 'corrupt'} protobuf in ${what} at byte ${base + pos}: ${VARINT_ERR[-r - 1]}`);
    pos = r;
    return slot.v;
  };
  while (pos < buf.length) {
    const at = base + pos;
    const key = varint();
    const no = Math.floor(key / 8), wire = key % 8;
    if (no < 1) throw new OnnxError(`corrupt protobuf in ${what} at byte ${at}: field number ${no}`);
    if (wire === Wire.Varint) {
      out.push({ no, wire, num: varint(), bytes: EMPTY, at });
    } else if (wire === Wire.Len) {
      const len = varint();
      if (len < 0 || len > buf.length - pos) {
        throw new OnnxError(`truncated or corrupt protobuf in ${what} at byte ${at}: field ${no} claims ${len} bytes, ${buf.length - pos} are left`);
      }
      out.push({ no, wire, num: len, bytes: buf.subarray(pos, pos + len), at });
      pos += len;
    } else if (wire === Wire.I32) {
      if (buf.length - pos < 4) throw new OnnxError(`truncated protobuf in ${what} at byte ${at}: a 4-byte field runs past the end`);
      out.push({ no, wire, num: dv.getUint32(pos, true), bytes: buf.subarray(pos, pos + 4), at });
      pos += 4;
    } else if (wire === Wire.I64) {
      if (buf.length - pos < 8) throw new OnnxError(`truncated protobuf in ${what} at byte ${at}: an 8-byte field runs past the end`);
      out.push({ no, wire, num: 0, bytes: buf.subarray(pos, pos + 8), at });
      pos += 8;
    } else {
      throw new OnnxError(`corrupt protobuf in ${what} at byte ${at}: wire type ${wire} (groups and unknown types are not ONNX)`);
    }
  }
  return out;
}

/** Decodes a UTF-8 string field (invalid UTF-8 is an error). */
export function str(f: Field, what: string): string {
  if (f.wire !== Wire.Len) throw new OnnxError(`${what}: expected a string at byte ${f.at}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(f.bytes);
  } catch {
    throw new OnnxError(`${what}: invalid UTF-8 at byte ${f.at}`);
  }
}

/** Reads a repeated int64 field that may be packed or not; appends to `out`. */
export function pushInts(f: Field, out: number[], what: string): void {
  if (f.wire === Wire.Varint) { out.push(f.num); return; }
  if (f.wire !== Wire.Len) throw new OnnxError(`${what}: expected integers at byte ${f.at}`);
  for (const g of readPacked(f, what)) out.push(g);
}

function readPacked(f: Field, what: string): number[] {
  const vals: number[] = [];
  const slot = { v: 0 };
  let pos = 0;
  while (pos < f.bytes.length) {
    const r = decodeVarint(f.bytes, pos, slot);
    if (r < 0) throw new OnnxError(`${what}: packed integers at byte ${f.at}: ${VARINT_ERR[-r - 1]}`);
    pos = r;
    vals.push(slot.v);
  }
  return vals;
}

const VARINT_ERR = ['a varint runs past the end', 'a varint is longer than 10 bytes', 'an integer beyond +-2^53'];

/**
 * Decodes the varint at `pos`: returns the position after it and puts the value in `slot.v` (int64 semantics:
 * ten-byte varints are negative), or returns -1 (truncated), -2 (too long), -3 (beyond 2^53 in magnitude).
 */
function decodeVarint(b: Uint8Array, pos: number, slot: { v: number }): number {
  let lo = 0, hi = 0; // bits 0..27 and 28..63
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) return -1;
    const x = b[pos++]!;
    if (i < 4) lo |= (x & 0x7f) << (7 * i);
    else if (i === 4) { lo |= (x & 0x0f) << 28; hi = (x & 0x7f) >>> 4; }
    else if (i === 9 && x > 1) return -3;
    else hi += (x & 0x7f) * 2 ** (7 * i - 32);
    if ((x & 0x80) === 0) {
      lo >>>= 0;
      // hi holds bits 32..63 as a non-negative number < 2^32 (exact in f64).
      if (hi >= 2 ** 31) { // negative int64
        const neg = (2 ** 32 - 1 - hi) * 2 ** 32 + (2 ** 32 - lo); // magnitude of the two's complement value
        if (neg > Number.MAX_SAFE_INTEGER) return -3;
        slot.v = -neg;
        return pos;
      }
      const v = hi * 2 ** 32 + lo;
      if (v > Number.MAX_SAFE_INTEGER) return -3;
      slot.v = v;
      return pos;
    }
  }
  return -2;
}

/** Reads a repeated float field (packed or not) into `out`. */
export function pushFloats(f: Field, out: number[], what: string): void {
  if (f.wire === Wire.I32) { out.push(new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true)); return; }
  if (f.wire !== Wire.Len || f.bytes.length % 4 !== 0) throw new OnnxError(`${what}: expected floats at byte ${f.at}`);
  const dv = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  for (let i = 0; i < f.bytes.length; i += 4) out.push(dv.getFloat32(i, true));
}

/** A protobuf message writer: fields are appended in order; `finish` concatenates them. */
export class PbWriter {
  private parts: Uint8Array[] = [];
  private len = 0;

  private raw(b: Uint8Array): this { this.parts.push(b); this.len += b.length; return this; }

  private varint(v: number): this {
    const out: number[] = [];
    if (v < 0) {
      // int64 two's complement: ten bytes. Only small negative values (-1) occur here.
      let lo = v >>> 0, hi = Math.floor(v / 2 ** 32) >>> 0;
      for (let i = 0; i < 9; i++) {
        out.push((lo & 0x7f) | 0x80);
        lo = (lo >>> 7) | ((hi & 0x7f) << 25);
        hi >>>= 7;
      }
      out.push(1);
      return this.raw(Uint8Array.from(out));
    }
    let x = v;
    while (x >= 0x80) { out.push((x % 128) | 0x80); x = Math.floor(x / 128); }
    out.push(x);
    return this.raw(Uint8Array.from(out));
  }

  private key(no: number, wire: Wire): this { return this.varint(no * 8 + wire); }

  /** An int32/int64/enum field. */
  int(no: number, v: number): this { return this.key(no, Wire.Varint).varint(v); }

  /** A float field (fixed32). */
  float(no: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.key(no, Wire.I32).raw(b);
  }

  /** A bytes field. */
  bytes(no: number, b: Uint8Array): this { return this.key(no, Wire.Len).varint(b.length).raw(b); }

  /** A string field. */
  string(no: number, s: string): this { return this.bytes(no, new TextEncoder().encode(s)); }

  /** An embedded message field. */
  message(no: number, m: PbWriter): this { return this.bytes(no, m.finish()); }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}
