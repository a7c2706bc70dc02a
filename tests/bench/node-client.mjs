// The bench's yardstick: the least a Node client can do to download files, `http.get` piped into
// `fs.createWriteStream`, with no got, no queue, no hashing and no fsync. Cartage's figures are
// compared with it, so what is left is the engine's own cost, not Node's.
//
//   node node-client.mjs OUT_DIR CONCURRENCY URL...
//   node node-client.mjs OUT_DIR CONCURRENCY --input FILE      (one URL a line)
//
// Each file is written as the last part of its URL's path into OUT_DIR. Exits 1 on any error or a
// status other than 200, so a broken download fails the bench instead of looking fast.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const [outDir, concurrencyArg, ...rest] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
if (!outDir || !(concurrency >= 1)) {
  process.stderr.write('usage: node node-client.mjs OUT_DIR CONCURRENCY (URL... | --input FILE)\n');
  process.exit(2);
}
const urls = rest[0] === '--input' ? fs.readFileSync(rest[1], 'utf8').split('\n').filter(Boolean) : rest;
// Keep-alive as Cartage and curl use it: one connection per slot, reused from file to file.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

/** Downloads one URL into OUT_DIR. */
async function download(url) {
  const res = await new Promise((resolve, reject) => http.get(url, { agent }, resolve).once('error', reject));
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`${url} answered ${res.statusCode}`);
  }
  await pipeline(res, fs.createWriteStream(path.join(outDir, path.basename(new URL(url).pathname))));
}

let next = 0;
async function worker() {
  while (next < urls.length) await download(urls[next++]);
}

try {
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  agent.destroy();
} catch (err) {
  process.stderr.write(`node-client: ${err.message}\n`);
  process.exit(1);
}
