// `poolctl devnet up` gives a chain the real iExec SDK CLI (iexec 8.24.0)
// accepts: its chain.json loads, the hub answers as PoCo, categories exist,
// dev accounts are funded; down keeps the chain, up restores it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHome, ok, poolctl } from './poolctl.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// iexec 8.24.0 by its own path: node_modules/.bin/iexec may be 9.x's.
const IEXEC = path.join(here, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
const home = makeHome('poolops-devnet-');
const work = fs.mkdtempSync(path.join(home, 'sdk-'));

after(() => {
  poolctl(home, ['devnet', 'reset']);
  fs.rmSync(home, { recursive: true, force: true });
});

function iexecRaw(args) {
  // Commands that touch no chain refuse --chain.
  const chainless = ['wallet import'].includes(args.slice(0, 2).join(' '));
  const all = [...args, '--raw', ...(chainless ? [] : ['--chain', 'devnet'])];
  const r = spawnSync(IEXEC, all, { cwd: work, encoding: 'utf8', timeout: 120000 });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* left null */ }
  return { json, out: r.stdout + r.stderr };
}

function iexec(args) {
  const { json, out } = iexecRaw(args);
  assert.ok(json && json.ok, `iexec ${args.join(' ')}: ${out}`);
  return json;
}

test('the iexec CLI works on the devnet that poolctl starts', () => {
  const up = ok(home, ['devnet', 'up']);
  assert.equal(up.chain, 'devnet');
  assert.equal(up.chainId, '65535');
  assert.equal(up.hub, '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512');
  assert.ok(up.accounts.length >= 2);
  assert.equal(fs.statSync(up.accounts[0].privateKeyFile).mode & 0o777, 0o600);
  fs.copyFileSync(up.chainJson, path.join(work, 'chain.json'));

  const info = iexec(['info']);
  assert.equal(info.hubAddress, up.hub);
  assert.equal(info.useNative, true);
  assert.equal(info.workerpoolRegistryAddress, '0xf5059a5D33d5853360D16C683c16e67980206f36');

  const category = iexec(['category', 'show', '0']);
  assert.equal(category.category.name, 'XS');
  assert.equal(String(category.category.workClockTimeRef), '300');

  const wallet = iexec(['wallet', 'show', up.accounts[1].address]);
  assert.ok(BigInt(wallet.balance.nRLC) > 0n, JSON.stringify(wallet));
  const account = iexec(['account', 'show', up.accounts[1].address]);
  assert.equal(account.balance.stake, '0');

  // down keeps the chain; the next up restores it without redeploying.
  ok(home, ['devnet', 'down']);
  assert.equal(ok(home, ['devnet', 'status']).running, false);
  const again = ok(home, ['devnet', 'up']);
  assert.equal(again.hub, up.hub);
  fs.copyFileSync(again.chainJson, path.join(work, 'chain.json'));
  assert.equal(iexec(['info']).hubAddress, up.hub);
});

test('the iexec CLI publishes, lists and unpublishes workerpool orders on the local market', () => {
  const up = ok(home, ['devnet', 'up']);
  assert.match(up.market, /^http:\/\/127\.0\.0\.1:\d+$/);
  fs.copyFileSync(up.chainJson, path.join(work, 'chain.json'));
  const chain = JSON.parse(fs.readFileSync(up.chainJson, 'utf8'));
  assert.equal(chain.chains.devnet.iexecGateway, up.market);

  // The SDK's own wallet for a funded dev account (a throwaway test secret).
  const key = fs.readFileSync(up.accounts[1].privateKeyFile, 'utf8').trim();
  const wallet = ['--keystoredir', path.join(work, 'ks'), '--wallet-address', up.accounts[1].address,
    '--password', 'devnet'];
  iexec(['wallet', 'import', key, '--keystoredir', path.join(work, 'ks'), '--password', 'devnet']);
  // What `iexec init` + `iexec workerpool init` would write (init would also
  // replace our chain.json).
  fs.writeFileSync(path.join(work, 'iexec.json'), JSON.stringify({
    description: 'poolops devnet interop test', license: 'MIT', author: 'poolops',
    workerpool: { owner: up.accounts[1].address, description: 'poolops-interop-pool' } }));
  const deployed = iexec(['workerpool', 'deploy', ...wallet]);
  const pool = deployed.address;
  iexec(['account', 'deposit', '1000', ...wallet]);

  const published = iexec(['workerpool', 'publish', pool, '--price', '10', '--volume', '3',
    '--category', '0', '--force', ...wallet]);
  assert.match(published.orderHash, /^0x[0-9a-f]{64}$/);
  iexec(['workerpool', 'publish', pool, '--price', '20', '--volume', '1', '--category', '0',
    '--force', ...wallet]);

  const book = iexec(['orderbook', 'workerpool', pool]);
  assert.equal(book.count, 2);
  assert.equal(book.workerpoolOrders[0].orderHash, published.orderHash);  // cheapest first
  assert.equal(String(book.workerpoolOrders[0].remaining), '3');

  // The market's rule: stake >= 30% of price x volume (1000 nRLC staked).
  const tooBig = iexecRaw(['workerpool', 'publish', pool, '--price', '100000', '--volume', '1',
    '--category', '0', '--force', ...wallet]);
  assert.match(tooBig.out, /stake is too low/);

  iexec(['workerpool', 'unpublish', pool, '--force', ...wallet]);  // the last one
  assert.equal(iexec(['orderbook', 'workerpool', pool]).count, 1);
  iexec(['workerpool', 'unpublish', pool, '--all', '--force', ...wallet]);
  assert.equal(iexec(['orderbook', 'workerpool', pool]).count, 0);
});
