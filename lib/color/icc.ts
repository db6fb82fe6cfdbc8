/**
 * ICC profile parser: the 128-byte header and the tag table, read with every offset and size
 * checked against the profile's bytes, plus the simple tag types (XYZ, s15Fixed16 arrays).
 *
 * A profile comes from an untrusted image, so nothing here trusts a count or an offset: a
 * malformed profile throws IccError, which the colour step turns into a log line (the pixels
 * are then treated as sRGB). IccError is internal and never reaches a client.
 */

/** MAX_ICC_TAGS bounds the tag table: real profiles have a few dozen tags; a huge count is a crafted file. */
export const MAX_ICC_TAGS = 256;

/** ICC_HEADER_BYTES is the size of the fixed profile header. */
export const ICC_HEADER_BYTES = 128;

/** IccError is a profile we will not use (malformed or unsupported), with a one-line reason. */
export class IccError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IccError';
  }
}

/** TagEntry is one tag table entry: where its data lies inside the profile. */
export interface TagEntry {
  offset: number;
  size: number;
}

/** IccProfile is a parsed profile header and tag table over the profile's own bytes. */
export interface IccProfile {
  bytes: Uint8Array;
  /** Major version (2 or 4). */
  version: number;
  /** Device class signature, e.g. `mntr`, `prtr`, `scnr`. */
  deviceClass: string;
  /** Data colour space signature: `RGB `, `GRAY`, `CMYK`... */
  colorSpace: string;
  /** Profile connection space: `XYZ ` or `Lab `. */
  pcs: string;
  tags: Map<string, TagEntry>;
}

/** sig reads a four-character signature at p. */
export function sig(b: Uint8Array, p: number): string {
  return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
}

/** u32 reads a big-endian unsigned 32-bit integer at p. */
export function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** u16 reads a big-endian unsigned 16-bit integer at p. */
export function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** s15f16 reads an ICC s15Fixed16Number at p. */
export function s15f16(b: Uint8Array, p: number): number {
  return (((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) | 0) / 65536;
}

/**
 * parseIcc reads the header and tag table of a profile; it throws IccError when the profile is
 * shorter than it says, lacks the `acsp` signature, or has a tag outside its bytes.
 */
export function parseIcc(bytes: Uint8Array): IccProfile {
  if (bytes.length < ICC_HEADER_BYTES + 4) throw new IccError('the colour profile is truncated');
  const declared = u32(bytes, 0);
  if (declared < ICC_HEADER_BYTES + 4 || declared > bytes.length) throw new IccError('the colour profile size field is wrong');
  if (sig(bytes, 36) !== 'acsp') throw new IccError('the colour profile has no acsp signature');
  const b = bytes.subarray(0, declared);
  const count = u32(b, ICC_HEADER_BYTES);
  if (count > MAX_ICC_TAGS) throw new IccError(`the colour profile has more than ${MAX_ICC_TAGS} tags`);
  if (ICC_HEADER_BYTES + 4 + count * 12 > b.length) throw new IccError('the colour profile tag table is truncated');
  const tags = new Map<string, TagEntry>();
  for (let i = 0; i < count; i++) {
    const p = ICC_HEADER_BYTES + 4 + i * 12;
    const offset = u32(b, p + 4), size = u32(b, p + 8);
    if (size < 8 || offset > b.length || size > b.length - offset) {
      throw new IccError(`the colour profile tag ${sig(b, p)} lies outside the profile`);
    }
    if (!tags.has(sig(b, p))) tags.set(sig(b, p), { offset, size });
  }
  return { bytes: b, version: b[8], deviceClass: sig(b, 12), colorSpace: sig(b, 16), pcs: sig(b, 20), tags };
}

/** tagData returns the bytes of tag name, or undefined when the profile has no such tag. */
export function tagData(p: IccProfile, name: string): Uint8Array | undefined {
  const t = p.tags.get(name);
  return t && p.bytes.subarray(t.offset, t.offset + t.size);
}

/** readXYZ reads an XYZType tag (its first triplet). */
export function readXYZ(d: Uint8Array): [number, number, number] {
  if (d.length < 20 || sig(d, 0) !== 'XYZ ') throw new IccError('a colour profile XYZ tag is malformed');
  return [s15f16(d, 8), s15f16(d, 12), s15f16(d, 16)];
}
