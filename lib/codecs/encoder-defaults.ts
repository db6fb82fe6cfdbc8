/**
 * The encoders' defaults the configuration needs (qualities, the AVIF size cap), apart from the
 * encoders themselves, so that reading the configuration (the CLI's first step, before its
 * workers start) loads no codec module and no jSquash glue.
 */

/**
 * DEFAULT_WEBP_QUALITY is the WebP quality when a request names none: on the benchmark photo at
 * 500w, 92 matches JPEG q95's PSNR and SSIM (38.17 vs 38.14 dB, 0.9934 vs 0.9935) in 26% fewer
 * bytes (78.1 vs 105.6 KB).
 */
export const DEFAULT_WEBP_QUALITY = 92;

/**
 * DEFAULT_AVIF_QUALITY is the AVIF quality (libavif's 0..100 scale) when a request names none:
 * on the benchmark photo at 500w, 85 matches JPEG q95's SSIM (0.9933 vs 0.9935) with a higher
 * PSNR (39.3 vs 38.1 dB) in 26% fewer bytes (78.1 vs 105.6 KB).
 */
export const DEFAULT_AVIF_QUALITY = 85;

/**
 * MAX_AVIF_PIXELS is the largest AVIF output (width*height) encoded by default: aom costs
 * ~2.5 µs a pixel at AVIF_SPEED (avif.ts), so 3 MP (1920x1080 fits) is ~7.5 s of a worker, well inside
 * the 20 s transform timeout.
 */
export const MAX_AVIF_PIXELS = 3_000_000;
