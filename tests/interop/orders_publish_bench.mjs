// Workerpool orders signed and published per second, one command per order,
// on the same devnet: `poolctl order publish` (CLI → chain-gateway → vault →
// market) against the real `iexec workerpool publish` (iexec 8.24.0).
// Usage: POOLCTL=... POOLOPS_BIN_DIR=... node orders_publish_bench.mjs [poolctl-n] [iexec-n]
// Prints one JSON object.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHome, ok, poolctl, writeSecret } from './poolctl.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// iexec 8.24.0 by its own path: node_modules/.bin/iexec may be 9.x's.
const IEXEC = path.join(here, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
const nPoolctl = Number(process.argv[2] || 30);
const nIexec = Number(process.argv[3] || 5);

const home = makeHome('poolops-orders-bench-');
try {
  const up = ok(home, ['devnet', 'up']);
  const owner = up.accounts[1];
  const pw = writeSecret(home, 'pw', 'bench-password\n');
  ok(home, ['wallet', 'import', 'owner', '--private-key-file', owner.privateKeyFile,
    '--password-file', pw]);
  ok(home, ['wallet', 'unlock', 'owner', '--password-file', pw]);
  ok(home, ['account', 'deposit', '1000000', '--wallet', 'owner']);
  const pool = ok(home, ['workerpool', 'deploy', '--owner', 'owner', '--description',
    'orders-bench']).address;
  const clear = () => poolctl(home, ['order', 'unpublish', '--workerpool', pool, '--wallet',
    'owner', '--all']);

  // poolctl: one process per order, as an operator's script would run it.
  ok(home, ['order', 'publish', '--workerpool', pool, '--wallet', 'owner', '--price', '1']);
  clear();
  let t0 = process.hrtime.bigint();
  let elapsed = 0n;
  for (let i = 0; i < nPoolctl; i += 1) {
    if (i > 0 && i % 40 === 0) {  // the market's 50 open orders per wallet
      elapsed += process.hrtime.bigint() - t0;
      clear();
      t0 = process.hrtime.bigint();
    }
    ok(home, ['order', 'publish', '--workerpool', pool, '--wallet', 'owner', '--price', '1']);
  }
  elapsed += process.hrtime.bigint() - t0;
  const poolctlSeconds = Number(elapsed) / 1e9;
  clear();

  // iexec workerpool publish with the same key (keystore as the SDK writes it).
  const work = fs.mkdtempSync(path.join(home, 'sdk-'));
  fs.copyFileSync(up.chainJson, path.join(work, 'chain.json'));
  const key = fs.readFileSync(owner.privateKeyFile, 'utf8').trim();
  const iexec = (args) => {
    const r = spawnSync(IEXEC, [...args, '--raw'], { cwd: work, encoding: 'utf8', timeout: 300000 });
    const json = JSON.parse(r.stdout || '{}');
    if (!json.ok) throw new Error(`iexec ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return json;
  };
  iexec(['wallet', 'import', key, '--keystoredir', path.join(work, 'ks'), '--password', 'bench']);
  const publishArgs = ['workerpool', 'publish', pool, '--price', '1', '--volume', '1',
    '--chain', 'devnet', '--keystoredir', path.join(work, 'ks'), '--wallet-address',
    owner.address, '--password', 'bench', '--force'];
  t0 = process.hrtime.bigint();
  for (let i = 0; i < nIexec; i += 1) iexec(publishArgs);
  const iexecSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const seen = ok(home, ['orderbook', 'workerpool', pool]).count;
  clear();

  const out = {
    poolctl: { orders: nPoolctl, seconds: poolctlSeconds, per_second: nPoolctl / poolctlSeconds },
    iexec: { orders: nIexec, seconds: iexecSeconds, per_second: nIexec / iexecSeconds,
      seen_by_poolops: seen },
  };
  out.ratio = out.poolctl.per_second / out.iexec.per_second;
  console.log(JSON.stringify(out));
} finally {
  poolctl(home, ['services', 'down']);
  poolctl(home, ['devnet', 'reset']);
  fs.rmSync(home, { recursive: true, force: true });
}
