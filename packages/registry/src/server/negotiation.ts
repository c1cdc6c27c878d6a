/**
 * Content negotiation as Confluent's Jersey resources do it. Responses: the schema registry v1
 * type (qs 1), the unversioned one (qs 0.9) or plain JSON (qs 0.5), chosen by the client's
 * `Accept` q-values times those weights; nothing acceptable → 406. Request bodies: those three or
 * octet-stream (read as JSON), anything else → 415; a `charset` parameter picks the decoder.
 */
export const V1_JSON = 'application/vnd.schemaregistry.v1+json';
const OFFERS: ReadonlyArray<{ type: string; qs: number }> = [
  { type: V1_JSON, qs: 1 },
  { type: 'application/vnd.schemaregistry+json', qs: 0.9 },
  { type: 'application/json', qs: 0.5 },
];
const BODY_TYPES = new Set([V1_JSON, 'application/vnd.schemaregistry+json', 'application/json', 'application/octet-stream']);
/** Accept headers longer than this are not parsed (limit on request metadata). */
const ACCEPT_ENTRIES_MAX = 64;

interface MediaRange { type: string; subtype: string; q: number; specificity: number }

function parseAccept(header: string): MediaRange[] {
  return header.split(',').slice(0, ACCEPT_ENTRIES_MAX).flatMap((part) => {
    const [range = '', ...params] = part.trim().split(';');
    let full = range.trim().toLowerCase();
    if (full === '') return [];
    if (full === '*') full = '*/*';
    const [type = '*', subtype = '*'] = full.split('/');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((x) => x.trim());
      if (k === 'q' && v !== undefined) { const n = Number(v); q = Number.isFinite(n) ? Math.max(0, Math.min(1, n)) : 0; }
    }
    const specificity = type === '*' ? 0 : subtype === '*' ? 1 : 2;
    return [{ type, subtype, q, specificity }];
  });
}

/** The response media type for an `Accept` header, or null when none is acceptable (406). */
export function negotiate(accept: string | undefined): string | null {
  if (accept === undefined || accept.trim() === '') return V1_JSON;
  const ranges = parseAccept(accept);
  let best: { type: string; score: number } | null = null;
  for (const offer of OFFERS) {
    const [t, s] = offer.type.split('/') as [string, string];
    let match: MediaRange | null = null;
    for (const r of ranges) {
      if ((r.type === '*' || r.type === t) && (r.subtype === '*' || r.subtype === s) && (match === null || r.specificity > match.specificity)) match = r;
    }
    if (match === null || match.q === 0) continue;
    const score = match.q * offer.qs;
    if (best === null || score > best.score) best = { type: offer.type, score };
  }
  return best?.type ?? null;
}

/** The charset to decode a request body with, or null when the content type is not accepted (415). */
export function bodyEncoding(contentType: string | undefined): string | null {
  if (contentType === undefined || contentType.trim() === '') return 'utf-8';
  const [type = '', ...params] = contentType.split(';');
  if (!BODY_TYPES.has(type.trim().toLowerCase())) return null;
  for (const p of params) {
    const [k, v] = p.split('=').map((x) => x.trim());
    if (k?.toLowerCase() === 'charset' && v !== undefined) return v.replace(/^"|"$/g, '').toLowerCase();
  }
  return 'utf-8';
}
