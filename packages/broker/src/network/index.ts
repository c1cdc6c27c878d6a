export * from './types.ts';
export { NetworkServer, type BoundListener, type NetworkServerOptions } from './server.ts';
export { FrameDecoder, REQUEST_HEADER_BYTES_MIN } from './frame-decoder.ts';
