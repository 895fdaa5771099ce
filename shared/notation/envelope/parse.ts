import { MEDIA_TYPE } from '../media-types';
import { parseCose } from './cose';
import { parseJws } from './jws';
import { type EnvelopeContent, EnvelopeError } from './types';

/** Parses an envelope by its signature manifest layer's media type; anything else is an integrity failure. */
export async function parseEnvelope(bytes: Uint8Array, mediaType: string): Promise<EnvelopeContent> {
  if (mediaType === MEDIA_TYPE.jws) return parseJws(bytes);
  if (mediaType === MEDIA_TYPE.cose) return parseCose(bytes);
  throw new EnvelopeError(
    `envelope media type ${JSON.stringify(mediaType)} is not ${MEDIA_TYPE.jws} or ${MEDIA_TYPE.cose}`,
  );
}
