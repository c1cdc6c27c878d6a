import type { Reader } from './wire/reader.ts';
import type { Writer } from './wire/writer.ts';

/**
 * What the generator emits for each API key: version facts from the JSON spec and the four
 * codecs. `Req`/`Res` are the message interfaces spanning all versions.
 */
export interface ApiSpec<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  /** Spec name without the Request/Response suffix, e.g. 'Produce'. */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible (KIP-482) version; Infinity when the API has none. */
  readonly flexibleMin: number;
  /** When true, maxVersion is still in development upstream and must not be advertised. */
  readonly latestVersionUnstable: boolean;
  readonly listeners: readonly string[];
  encodeRequest(w: Writer, version: number, value: Req): void;
  decodeRequest(r: Reader, version: number): Req;
  encodeResponse(w: Writer, version: number, value: Res): void;
  decodeResponse(r: Reader, version: number): Res;
}
