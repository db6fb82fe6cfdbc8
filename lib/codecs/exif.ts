/**
 * EXIF orientation: the one piece of metadata the proxy acts on (Go's imageproxy auto-rotates).
 */

/** ORIENTATION_TAG is the TIFF/EXIF tag number of Orientation. */
const ORIENTATION_TAG = 0x0112;
/** TYPE_SHORT is the TIFF field type of a 16-bit unsigned value. */
const TYPE_SHORT = 3;

/**
 * tiffOrientation reads the Orientation tag of IFD0 of the TIFF structure in bytes[start, end);
 * offsets inside a TIFF structure are relative to its header, hence start.
 */
function tiffOrientation(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 8) return 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (bytes[start] === 0x49 && bytes[start + 1] === 0x49) le = true;
  else if (bytes[start] === 0x4d && bytes[start + 1] === 0x4d) le = false;
  else return 1;
  if (dv.getUint16(start + 2, le) !== 42) return 1;
  const ifd = start + dv.getUint32(start + 4, le);
  if (ifd + 2 > end) return 1;
  const count = dv.getUint16(ifd, le);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return 1;
    if (dv.getUint16(e, le) !== ORIENTATION_TAG) continue;
    if (dv.getUint16(e + 2, le) !== TYPE_SHORT || dv.getUint32(e + 4, le) < 1) return 1;
    const v = dv.getUint16(e + 8, le);
    return v >= 1 && v <= 8 ? v : 1;
  }
  return 1;
}

/** jpegOrientation finds the APP1 Exif segment before the first scan and reads its orientation. */
function jpegOrientation(bytes: Uint8Array): number {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return 1;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return 1; // start of scan / end of image: no Exif ahead
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (len < 2) return 1;
    const body = i + 4;
    const end = Math.min(bytes.length, i + 2 + len);
    if (marker === 0xe1 && end - body >= 6 &&
        bytes[body] === 0x45 && bytes[body + 1] === 0x78 && bytes[body + 2] === 0x69 &&
        bytes[body + 3] === 0x66 && bytes[body + 4] === 0 && bytes[body + 5] === 0) {
      return tiffOrientation(bytes, body + 6, end);
    }
    i += 2 + len;
  }
  return 1;
}

/**
 * readOrientation returns the EXIF orientation (1..8) of a JPEG (APP1 Exif) or TIFF (IFD0)
 * source, or 1 when absent or malformed; it never throws and reads each byte at most once.
 */
export function readOrientation(bytes: Uint8Array): number {
  try {
    if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegOrientation(bytes);
    if (bytes.length >= 8 && (bytes[0] === 0x49 || bytes[0] === 0x4d)) return tiffOrientation(bytes, 0, bytes.length);
  } catch {
    // A DataView read past the end is a malformed file: no orientation.
  }
  return 1;
}
