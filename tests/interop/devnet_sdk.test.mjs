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
const IEXEC = path.join(here, 'node_modules/.bin/iexec');
const home = makeHome('poolops-devnet-');
const work = fs.mkdtempSync(path.join(home, 'sdk-'));

after(() => {
  poolctl(home, ['devnet', 'reset']);
  fs.rmSync(home, { recursive: true, force: true });
});

function iexec(args) {
  const r = spawnSync(IEXEC, [...args, '--raw', '--chain', 'devnet'], { cwd: work, encoding: 'utf8', timeout: 120000 });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* left null */ }
  assert.ok(json && json.ok, `iexec ${args.join(' ')}: ${r.stdout}${r.stderr}`);
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
