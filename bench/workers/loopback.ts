// Raw loopback TCP baseline: `reader` listens and counts bytes from the first byte to the end of
// the stream; `writer` writes one fixed buffer in a loop for a fixed time, honouring 'drain'.
// Each prints one JSON line. Run by bench/sections/loopback.ts, one process per role.
//
//   node --import tsx bench/workers/loopback.ts reader
//   node --import tsx bench/workers/loopback.ts writer PORT SECONDS BUFFER_BYTES
import { createServer, connect } from 'node:net';

const role = process.argv[2];

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

if (role === 'reader') {
  const server = createServer((sock) => {
    let bytes = 0;
    let first = 0;
    const cpu0 = cpuSeconds();
    sock.on('data', (d: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += d.length;
    });
    sock.on('end', () => {
      const seconds = (performance.now() - first) / 1000;
      console.log(JSON.stringify({ bytes, seconds, cpuSeconds: cpuSeconds() - cpu0 }));
      server.close();
      sock.end();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ port: (server.address() as { port: number }).port }));
  });
} else if (role === 'writer') {
  const port = Number(process.argv[3]);
  const seconds = Number(process.argv[4] ?? 3);
  const buf = Buffer.alloc(Number(process.argv[5] ?? 1 << 20), 0x61);
  const sock = connect({ host: '127.0.0.1', port, noDelay: true });
  sock.once('connect', () => {
    const cpu0 = cpuSeconds();
    const deadline = performance.now() + seconds * 1000;
    let bytes = 0;
    const pump = (): void => {
      while (performance.now() < deadline) {
        bytes += buf.length;
        if (!sock.write(buf)) {
          sock.once('drain', pump);
          return;
        }
      }
      sock.end(() => {
        console.log(JSON.stringify({ bytes, cpuSeconds: cpuSeconds() - cpu0 }));
      });
    };
    pump();
  });
} else {
  console.error('usage: loopback.ts reader | writer PORT SECONDS BUFFER_BYTES');
  process.exitCode = 2;
}
