/**
 * AVIF container reading (ISO BMFF / HEIF boxes), bounded: the brand check the sniffer uses and
 * the image size read before any pixel is decoded, so pixel floods are refused cheaply.
 */
import { badImage } from './types.js';

/** AVIF_BRANDS are the ftyp brands of AVIF stills and sequences. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
/** MAX_BOXES bounds the boxes walked at one level, so a file of tiny boxes costs little. */
const MAX_BOXES = 4096;

function str4(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/** isAvif reports whether bytes start with an ftyp box whose major or a compatible brand is avif/avis. */
export function isAvif(b: Uint8Array): boolean {
  if (b.length < 16 || str4(b, 4) !== 'ftyp') return false;
  const end = Math.min(b.length, u32(b, 0));
  if (end < 16) return false;
  if (AVIF_BRANDS.has(str4(b, 8))) return true;
  for (let p = 16; p + 4 <= end && p < 16 + 4 * 64; p += 4) if (AVIF_BRANDS.has(str4(b, p))) return true;
  return false;
}

/** Box is one box: its type and where its payload lies. */
interface Box { type: string; at: number; end: number }

/** boxes lists the boxes in b[from, to); one running past `to` is a 422. */
function boxes(b: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  let p = from;
  while (p + 8 <= to) {
    let size = u32(b, p), head = 8;
    if (size === 1) {
      if (p + 16 > to) throw badImage('The AVIF file is truncated');
      if (u32(b, p + 8) !== 0) throw badImage('The AVIF file has a box larger than 4 GB');
      size = u32(b, p + 12); head = 16;
    } else if (size === 0) size = to - p;
    if (size < head || size > to - p) throw badImage('The AVIF file is truncated or has a box with a wrong size');
    if (out.length >= MAX_BOXES) throw badImage('The AVIF file has too many boxes');
    out.push({ type: str4(b, p + 4), at: p + head, end: p + size });
    p += size;
  }
  return out;
}

function child(b: Uint8Array, parent: Box, type: string, fullBox = false): Box | undefined {
  return boxes(b, parent.at + (fullBox ? 4 : 0), parent.end).find((x) => x.type === type);
}

/** Ispe is one image spatial extents property, with its 1-based index in ipco. */
interface Ispe { index: number; width: number; height: number }

/** primaryItem reads pitm's item ID, or -1 when there is none. */
function primaryItem(b: Uint8Array, meta: Box): number {
  const pitm = child(b, meta, 'pitm', true);
  if (!pitm || pitm.end - pitm.at < 6) return -1;
  return b[pitm.at] === 0 ? u16(b, pitm.at + 4) : (pitm.end - pitm.at >= 8 ? u32(b, pitm.at + 4) : -1);
}

/** propertiesOf reads from ipma the 1-based property indices associated with item `id`. */
function propertiesOf(b: Uint8Array, ipma: Box, id: number): number[] {
  const version = b[ipma.at], flags = b[ipma.at + 3];
  let p = ipma.at + 4;
  const need = (n: number): void => { if (p + n > ipma.end) throw badImage('The AVIF item properties are truncated'); };
  need(4);
  const entries = u32(b, p); p += 4;
  for (let e = 0; e < entries; e++) {
    need(version < 1 ? 3 : 5);
    const item = version < 1 ? u16(b, p) : u32(b, p); p += version < 1 ? 2 : 4;
    const n = b[p++];
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      if (flags & 1) { need(2); out.push(u16(b, p) & 0x7fff); p += 2; } else { need(1); out.push(b[p] & 0x7f); p += 1; }
    }
    if (item === id) return out;
  }
  return [];
}

/** ispes lists every ispe property in ipco. */
function ispes(b: Uint8Array, ipco: Box): Ispe[] {
  return boxes(b, ipco.at, ipco.end).flatMap((x, i) => (x.type === 'ispe' && x.end - x.at >= 12
    ? [{ index: i + 1, width: u32(b, x.at + 4), height: u32(b, x.at + 8) }] : []));
}

/** trackSize reads a sequence's first track header size (16.16 fixed point) when there is no meta. */
function trackSize(b: Uint8Array, top: Box[]): { width: number; height: number } | undefined {
  const moov = top.find((x) => x.type === 'moov');
  const trak = moov && child(b, moov, 'trak');
  const tkhd = trak && child(b, trak, 'tkhd');
  if (!tkhd) return undefined;
  const at = tkhd.at + (b[tkhd.at] === 1 ? 88 : 76);
  if (at + 8 > tkhd.end) throw badImage('The AVIF track header is truncated');
  return { width: u32(b, at) >>> 16, height: u32(b, at + 4) >>> 16 };
}

/**
 * readAvifSize reads the primary image's size from its ispe property (the largest ispe when the
 * primary item has none), or a sequence's track header; a file with no size is a 422.
 */
export function readAvifSize(b: Uint8Array): { width: number; height: number } {
  const top = boxes(b, 0, b.length);
  const meta = top.find((x) => x.type === 'meta');
  const iprp = meta && child(b, meta, 'iprp', true);
  const ipco = iprp && child(b, iprp, 'ipco');
  const all = ipco ? ispes(b, ipco) : [];
  if (all.length > 0) {
    const ipma = child(b, iprp!, 'ipma');
    const id = primaryItem(b, meta!);
    const mine = ipma && id >= 0 ? propertiesOf(b, ipma, id) : [];
    const own = all.find((s) => mine.includes(s.index));
    const pick = own ?? all.reduce((m, s) => (s.width * s.height > m.width * m.height ? s : m));
    return { width: pick.width, height: pick.height };
  }
  const t = trackSize(b, top);
  if (t) return t;
  throw badImage('The AVIF file does not say how large its image is');
}
