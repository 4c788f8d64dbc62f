// Merges the active data segments of a wasm module into one: `node scripts/merge-data.mjs dist/rectify.wasm`.
// asc and binaryen keep every SIMD constant table of `memory.data` as its own segment with its zero bytes trimmed
// (124 segments in rectify.wasm); one segment from the lowest to the highest byte, the gaps written as the zeros a
// fresh memory already holds, is 0.4 KiB less brotli. The memory after instantiation is byte-identical, so nothing
// else changes. Only for a module that owns its memory: with an imported (shared) memory every instantiation would
// write the gaps again (the threads build keeps its segments). Refuses (exit 1, file untouched) anything it does not
// fully understand: an imported memory, a passive segment, another memory index, an offset that is not an i32.const.
// tests/abi.test.ts checks that the memory after instantiation is the same as with the segments asc wrote.
import { readFileSync, writeFileSync } from 'node:fs';

function uleb(b, o) {
  let r = 0, s = 0, x;
  do { x = b[o++]; r += (x & 127) * 2 ** s; s += 7; } while (x & 128);
  return [r, o];
}
function sleb32(b, o) {
  let r = 0, s = 0, x;
  do { x = b[o++]; r |= (x & 127) << s; s += 7; } while (x & 128);
  if (s < 32 && (x & 64)) r |= -1 << s;
  return [r, o];
}
function encU(n) { const out = []; do { let x = n & 127; n >>>= 7; if (n) x |= 128; out.push(x); } while (n); return out; }
function encS(n) {
  const out = [];
  for (;;) { const x = n & 127; n >>= 7; if ((n === 0 && !(x & 64)) || (n === -1 && (x & 64))) { out.push(x); return out; } out.push(x | 128); }
}
const fail = (why) => { console.error(`merge-data: ${why}; the file is left as it is`); process.exit(1); };

/** Returns the module with one active data segment, or throws a string saying why it cannot. */
export function mergeData(buf) {
  const sections = [];
  for (let o = 8; o < buf.length;) {
    const id = buf[o];
    const [len, body] = uleb(buf, o + 1);
    sections.push({ id, start: o, body, end: body + len });
    o = body + len;
  }
  const imports = sections.find((s) => s.id === 2);
  if (imports) {
    let [count, q] = uleb(buf, imports.body);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 2; k++) { const [len, r] = uleb(buf, q); q = r + len; } // module and field names
      const kind = buf[q++];
      if (kind === 2) throw 'the module imports its memory';
      if (kind === 0) q = uleb(buf, q)[1];
      else if (kind === 1) { const [flag, r] = uleb(buf, q + 1); q = uleb(buf, r)[1]; if (flag & 1) q = uleb(buf, q)[1]; }
      else if (kind === 3) q += 2;
      else throw `import ${i} has a kind (${kind}) this script does not know`;
    }
  }
  const data = sections.find((s) => s.id === 11);
  if (!data) throw 'no data section';
  let [n, p] = uleb(buf, data.body);
  const segs = [];
  for (let i = 0; i < n; i++) {
    const [flag, q] = uleb(buf, p);
    if (flag !== 0) throw `segment ${i} is not an active segment of memory 0 (flag ${flag})`;
    if (buf[q] !== 0x41) throw `segment ${i}'s offset is not an i32.const`;
    const [off, r] = sleb32(buf, q + 1);
    if (buf[r] !== 0x0b) throw `segment ${i}'s offset is not a lone i32.const`;
    const [len, s] = uleb(buf, r + 1);
    segs.push({ off: off >>> 0, bytes: buf.subarray(s, s + len) });
    p = s + len;
  }
  if (p !== data.end) throw 'the data section has bytes after its segments';
  // Every segment is active, so memory.init / data.drop could only name one that instantiation already dropped (a
  // trap unless the length is 0, and the same after the merge); an index >= 1 would fail the validation below.
  if (segs.length < 2) return buf;
  const lo = Math.min(...segs.map((s) => s.off)), hi = Math.max(...segs.map((s) => s.off + s.bytes.length));
  const mem = new Uint8Array(hi - lo);
  for (const s of segs) {
    for (let i = 0; i < s.bytes.length; i++) {
      if (mem[s.off - lo + i] !== 0 && mem[s.off - lo + i] !== s.bytes[i]) throw 'two segments overlap with different bytes';
    }
    mem.set(s.bytes, s.off - lo);
  }
  const seg = [...encU(1), 0, 0x41, ...encS(lo | 0), 0x0b, ...encU(mem.length)];
  const body = Buffer.concat([Buffer.from(seg), mem]);
  const parts = [];
  let at = 0;
  for (const s of sections) {
    if (s.id === 11) {
      parts.push(buf.subarray(at, s.start), Buffer.from([11, ...encU(body.length)]), body);
      at = s.end;
    } else if (s.id === 12) {
      parts.push(buf.subarray(at, s.start), Buffer.from([12, 1, 1]));
      at = s.end;
    }
  }
  parts.push(buf.subarray(at));
  return Buffer.concat(parts);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) fail('usage: node scripts/merge-data.mjs <file.wasm>');
  const before = readFileSync(file);
  let after;
  try { after = mergeData(before); } catch (e) { fail(String(e)); }
  new WebAssembly.Module(after); // validates
  writeFileSync(file, after);
}
