// decode profile: the bench's small stream
import { RESPDecoder } from "./src/protocol/decoder.js";
const parts: string[] = [];
for (let i = 0; i < 49536; i++) {
  switch (i % 6) {
    case 0: parts.push("+OK\r\n"); break;
    case 1: parts.push(`:${i * 7919}\r\n`); break;
    case 2: { const v = `value:${i}`; parts.push(`$${v.length}\r\n${v}\r\n`); break; }
    case 3: parts.push(`*3\r\n$3\r\nfoo\r\n$5\r\nbar:${i % 10}\r\n$-1\r\n`); break;
    case 4: parts.push(`%2\r\n$4\r\nname\r\n$5\r\nalice\r\n$3\r\nage\r\n:${i % 100}\r\n`); break;
    case 5: { const v = `user:${i}:profile`; parts.push(`$${v.length}\r\n${v}\r\n`); break; }
  }
}
const stream = Buffer.from(parts.join(""));
const chunks: Buffer[] = [];
for (let i = 0; i < stream.length; i += 65536) chunks.push(Buffer.from(stream.subarray(i, i + 65536)));
const strings = process.argv[2] !== "buffers";
let n = 0;
const d = new RESPDecoder({ decodeStrings: () => strings, onReply: () => { n++; }, onPush: () => {} });
let best = 0;
for (let k = 0; k < 25; k++) {
  const c0 = process.cpuUsage();
  for (let r = 0; r < 8; r++) for (const c of chunks) d.feed(c);
  const c1 = process.cpuUsage(c0);
  best = Math.max(best, (stream.length * 8) / ((c1.user + c1.system)));
}
console.log(strings ? "strings" : "buffers", best.toFixed(0), "MB/s (cpu, best of 7)");
