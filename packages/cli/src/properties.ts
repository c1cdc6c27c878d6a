/**
 * Parser for Java `.properties` text (the format of Kafka's `server.properties`), following
 * java.util.Properties.load: `key=value`, `key: value` or `key value`; `#` and `!` comment lines;
 * a line ending in an odd number of backslashes continues on the next (leading whitespace of the
 * continuation dropped); escapes `\t \n \r \f \uXXXX` and `\<any>` = that character. Later
 * duplicates win. The file is read as UTF-8 (Java 9+ reads properties files as UTF-8 too).
 */

/** Largest properties file we accept; a broker config is a few kilobytes. */
export const PROPERTIES_BYTES_MAX = 4 * 1024 * 1024;

export class PropertiesError extends Error {
  readonly code = 'INVALID_PROPERTIES';
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PropertiesError';
    this.line = line;
  }
}

interface LogicalLine {
  readonly text: string;
  /** 1-based number of the natural line where it starts. */
  readonly line: number;
}

const WHITESPACE = new Set([' ', '\t', '\f']);

function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function skipWhitespace(s: string, from: number): number {
  let i = from;
  while (i < s.length && WHITESPACE.has(s[i]!)) i++;
  return i;
}

/** Joins continued natural lines and drops blank and comment lines. */
function logicalLines(text: string): LogicalLine[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  for (let i = 0; i < natural.length; i++) {
    const first = natural[i]!;
    const start = skipWhitespace(first, 0);
    if (start === first.length) continue;
    if (first[start] === '#' || first[start] === '!') continue;
    const startLine = i + 1;
    let acc = first.slice(start);
    while (endsWithContinuation(acc)) {
      acc = acc.slice(0, -1);
      if (i + 1 >= natural.length) break;
      i++;
      const next = natural[i]!;
      acc += next.slice(skipWhitespace(next, 0));
    }
    out.push({ text: acc, line: startLine });
  }
  return out;
}

/** Resolves escapes in a raw key or value. */
function unescape(raw: string, line: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= raw.length) break; // a lone trailing backslash is dropped, as Java does
    const e = raw[i]!;
    if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else if (e === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesError(line, `malformed \\uxxxx escape: \\u${hex}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += e;
  }
  return out;
}

/** Splits a logical line into its raw (still escaped) key and value. */
function splitKeyValue(s: string): [string, string] {
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || WHITESPACE.has(c)) break;
    i++;
  }
  const key = s.slice(0, Math.min(i, s.length));
  let j = skipWhitespace(s, i);
  if (j < s.length && (s[j] === '=' || s[j] === ':')) j = skipWhitespace(s, j + 1);
  return [key, s.slice(j)];
}

/** Parses properties text into key/value pairs (insertion order; later duplicates win). */
export function parseProperties(text: string): Record<string, string> {
  const entries = new Map<string, string>();
  for (const { text: logical, line } of logicalLines(text)) {
    const [rawKey, rawValue] = splitKeyValue(logical);
    entries.set(unescape(rawKey, line), unescape(rawValue, line));
  }
  return Object.fromEntries(entries);
}
