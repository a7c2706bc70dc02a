// Loopback ports for the servers the tests and the benchmark start. Plain JavaScript so the
// benchmark (plain Node) and the TypeScript tests share it; types in ports.d.mts.
import net from 'node:net';

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True once something accepts TCP connections on the port; false if `child` exits first or 5 s pass. */
export async function waitForPort(port, child) {
  for (let i = 0; i < 500; i += 1) {
    if (child && child.exitCode !== null) return false;
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
