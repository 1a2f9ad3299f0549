// The README's operator flow on one devnet, timed through poolctl and
// through the iexec CLI in the same run (8.24.0 on the native devnet, 9.0.1
// on the arbitrum one, PoCo 6.1.0): register a workerpool,
// deposit stake, publish an order, read the orderbook. Each side uses its own
// funded dev account so neither sees the other's work. poolctl talks to the
// already running local suite (as an operator's would be); the SDK reads its
// keystore on every command (as the SDK does). Prints one JSON object.
// Usage: node bench/operator_flow_bench.mjs [rounds] [native|arbitrum]
//        (POOLCTL, POOLOPS_BIN_DIR set)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = path.join(here, '..', 'tests', 'interop');
const { makeHome, ok, poolctl, writeSecret } = await import(path.join(interop, 'poolctl.mjs'));
// iexec 8.24.0 by its own path: node_modules/.bin/iexec may be 9.x's.
const IEXEC8 = path.join(interop, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
const IEXEC9 = path.join(interop, 'node_modules/iexec9/dist/esm/cli/cmd/iexec.js');
const rounds = Number(process.argv[2] || 3);
const flavour = process.argv[3] || 'native';
const v9 = flavour === 'arbitrum';
const IEXEC = v9 ? IEXEC9 : IEXEC8;

const home = makeHome('poolops-flowbench-');
try {
  const up = ok(home, ['devnet', 'up', '--flavour', flavour]);
  ok(home, ['services', 'up']);
  const work = fs.mkdtempSync(path.join(home, 'sdk-'));
  fs.copyFileSync(v9 ? up.chainJson9 : up.chainJson, path.join(work, 'chain.json'));
  const pw = writeSecret(home, 'pw', 'bench-password\n');
  const mine = up.accounts[1];
  const theirs = up.accounts[2];
  ok(home, ['wallet', 'import', 'owner', '--private-key-file', mine.privateKeyFile, '--password-file', pw]);
  ok(home, ['wallet', 'unlock', 'owner', '--password-file', pw, '--ttl', '1h']);
  const key = fs.readFileSync(theirs.privateKeyFile, 'utf8').trim();
  const iexec = (args) => {
    const chainless = args[0] === 'wallet' && args[1] === 'import';
    const r = spawnSync(IEXEC, [...args, '--raw', ...(chainless ? [] : ['--chain', 'devnet'])],
      { cwd: work, encoding: 'utf8', timeout: 300000 });
    const json = JSON.parse(r.stdout || '{}');
    if (!json.ok) throw new Error(`iexec ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return json;
  };
  iexec(['wallet', 'import', key, '--keystoredir', path.join(work, 'ks'), '--password', 'bench']);
  const wallet = ['--keystoredir', path.join(work, 'ks'), '--wallet-address', theirs.address,
    '--password', 'bench'];

  const time = (fn) => { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / 1e6; };
  const poolopsMs = [];
  const sdkMs = [];
  for (let i = 0; i < rounds; i++) {
    const desc = `bench-pool-${i}`;
    poolopsMs.push(time(() => {
      const wp = ok(home, ['workerpool', 'deploy', '--owner', 'owner', '--description', desc]);
      ok(home, ['account', 'deposit', '1000', '--wallet', 'owner']);
      ok(home, ['order', 'publish', '--workerpool', wp.address, '--wallet', 'owner',
        '--price', '1', '--volume', '3']);
      const book = ok(home, ['orderbook', 'workerpool', wp.address]);
      if (book.count !== 1) throw new Error(`poolctl orderbook: ${JSON.stringify(book)}`);
    }));
    sdkMs.push(time(() => {
      fs.writeFileSync(path.join(work, 'iexec.json'), JSON.stringify({
        description: 'bench', license: 'MIT', author: 'poolops',
        workerpool: { owner: theirs.address, description: desc } }));
      const wp = iexec(['workerpool', 'deploy', ...wallet]).address;
      iexec(['account', 'deposit', '1000', ...wallet]);
      iexec(['workerpool', 'publish', wp, '--price', '1', '--volume', '3', '--category', '0',
        '--force', ...wallet]);
      const book = iexec(['orderbook', 'workerpool', wp]);
      if (book.count !== 1) throw new Error(`iexec orderbook: ${JSON.stringify(book)}`);
    }));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(JSON.stringify({
    flavour, iexec: v9 ? '9.0.1' : '8.24.0', rounds, poolctl_ms: poolopsMs, iexec_ms: sdkMs,
    poolctl_median_ms: median(poolopsMs), iexec_median_ms: median(sdkMs),
    speedup: median(sdkMs) / median(poolopsMs),
  }));
} finally {
  poolctl(home, ['services', 'down']);
  poolctl(home, ['devnet', 'reset']);
  fs.rmSync(home, { recursive: true, force: true });
}
