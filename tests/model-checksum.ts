// The model files' checksums computed independently of the library (node:zlib), as docs/saved-models.md specifies
// them; shared by tests/serialize.test.ts and tests/fuzz/model.fuzz.test.ts.
import { crc32 } from 'node:zlib';

export { crc32 };

/** CRC-32 of the canonical form of a JSON document (keys sorted at every level, no spaces, no checksum). */
export function canonicalCrc(doc: object): number {
  const canon = (v: unknown, top = false): string => {
    if (Array.isArray(v)) return `[${v.map((e) => canon(e)).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).filter((k) => !(top && k === 'checksum') && (v as Record<string, unknown>)[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return crc32(Buffer.from(canon(doc, true), 'utf8'));
}
