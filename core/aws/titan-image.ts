/**
 * Gets an image within Titan Multimodal Embeddings' input limits before it is sent: PNG or JPEG, at most
 * 2048 x 2048 px, and at most 5 MB. The docs give 25 MB on one page and 5 MB on another; the smaller one is safe.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/titan-multiemb-models.html
 */
import sharp from 'sharp';
import { errorMessage } from './retry';

export const TITAN_MAX_IMAGE_SIDE = 2048;
export const TITAN_MAX_IMAGE_BYTES = 5 * 1024 * 1024;
// Each step down trades a little detail for size; below 50 the embedding would see compression artefacts.
const JPEG_QUALITIES = [90, 80, 70, 60, 50];

export interface ImageLimits {
  readonly maxSide: number;
  readonly maxBytes: number;
}

export type PreparedImage =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly resized: boolean }
  | { readonly ok: false; readonly reason: string };

/** The image's own bytes when they fit, else a re-encoded JPEG that does; a reason when it cannot be decoded or made to fit. */
export async function prepareTitanImage(bytes: Uint8Array, limits: ImageLimits): Promise<PreparedImage> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(bytes).metadata();
  } catch (error) {
    return { ok: false, reason: `image does not decode: ${errorMessage(error)}` };
  }
  const { width, height, format } = meta;
  if (!width || !height) return { ok: false, reason: 'image does not decode: no width or height' };
  const fits = width <= limits.maxSide && height <= limits.maxSide && bytes.byteLength <= limits.maxBytes;
  if (fits && (format === 'png' || format === 'jpeg')) return { ok: true, bytes, resized: false };
  try {
    // Decoding the pixels here (not just the header) also catches truncated files before Bedrock does.
    const pixels = sharp(bytes)
      .resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' });
    for (const quality of JPEG_QUALITIES) {
      const out = await pixels.clone().jpeg({ quality }).toBuffer();
      if (out.byteLength <= limits.maxBytes) return { ok: true, bytes: new Uint8Array(out), resized: true };
    }
  } catch (error) {
    return { ok: false, reason: `image does not decode: ${errorMessage(error)}` };
  }
  return { ok: false, reason: `image stays above ${limits.maxBytes} bytes even as a JPEG at quality ${JPEG_QUALITIES.at(-1)}` };
}
