// ethers v6 Wallet.signTransaction throughput, the baseline poolops' signing
// is compared with (bench/run). Prints one JSON line.
import { ethers } from 'ethers';

const seconds = Number(process.argv[2] ?? 3);
const wallet = new ethers.Wallet('0x4646464646464646464646464646464646464646464646464646464646464646');
const tx = { type: 0, chainId: 134n, nonce: 7, to: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f',
  value: 10n ** 18n, data: '0xd0e30db0', gasLimit: 100000n, gasPrice: 0n };
for (let i = 0; i < 200; ++i) await wallet.signTransaction({ ...tx, nonce: i });  // warm-up
let n = 0;
const start = process.hrtime.bigint();
const end = start + BigInt(seconds * 1e9);
while (process.hrtime.bigint() < end) {
  await wallet.signTransaction({ ...tx, nonce: n });
  ++n;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ name: 'ethers_v6_signTransaction_legacy', per_second: n / elapsed,
  rss_mb: process.memoryUsage().rss / 2 ** 20 }));
