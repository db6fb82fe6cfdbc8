/**
 * Content sniffing: what an origin answer is when it comes without a Content-Type or with only
 * `application/octet-stream`, told from its first bytes by the codecs' own detection rules, so
 * that what the origin layer calls an image is what the codecs recognise.
 */
import { sniffMediaType } from '../codecs/detect.js';

export { SNIFF_BYTES } from '../codecs/detect.js';

/**
 * sniffImageType returns the media type of the image whose first bytes are `bytes` (JPEG, PNG,
 * GIF, WebP, TIFF, BMP, SVG, AVIF or HEIC/HEIF), or undefined when it is none of them.
 */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  return sniffMediaType(bytes);
}
