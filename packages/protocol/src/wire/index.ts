export { Reader } from './reader.ts';
export { Writer, WRITER_REF_THRESHOLD_BYTES } from './writer.ts';
export { ProtocolError, type ProtocolErrorCode } from './protocol-error.ts';
