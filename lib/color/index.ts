/**
 * Colour management: embedded ICC profiles (and PNG gamma chunks) read from the source, pixels
 * converted to sRGB in the workers, or the profile kept and written into the output.
 */
export { planColour, converterFor, type ColourOptions, type ColourPlan } from './source.js';
export { convertCmyk8, convertRgba16, convertRgba8 } from './apply.js';
export { convertYccPlanes } from './ycc.js';
export { embedProfile, EMBEDDABLE_FORMATS } from './embed.js';
export { readColourSource, type ColourSource } from './read.js';
export type { Converter } from './convert.js';
