/**
 * Input bytes of the library entry points: a Uint8Array (a Buffer too, pooled or not, or any view
 * at an offset) or a whole ArrayBuffer.
 */

/** ImageBytes is what decode() and transform() accept as an encoded image. */
export type ImageBytes = Uint8Array | ArrayBuffer;

/** asBytes views input as a Uint8Array without copying; a view keeps its offset and length. */
export function asBytes(input: ImageBytes): Uint8Array {
  if (input instanceof Uint8Array) return input;
  // toString also recognises an ArrayBuffer made in another realm (a vm context, say).
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object ArrayBuffer]') return new Uint8Array(input);
  throw new TypeError('The image must be a Uint8Array, a Buffer or an ArrayBuffer.');
}
