// The README's operator flow through poolctl (chain-gateway) on the devnet,
// in every flavour, cross-checked by the real iexec CLI on the same chain
// (8.24.0 on PoCo 5.5.0, 9.0.1 on the arbitrum flavour's PoCo 6.1.0, each
// with its own chain.json): what poolops did is what the SDK sees, and a
// workerpool the SDK deploys is what poolops sees.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHome, ok, poolctl, writeSecret } from './poolctl.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// iexec 8.24.0 by its own path: node_modules/.bin/iexec may be 9.x's.
const IEXEC = path.join(here, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
// iexec 9.0.1 (npm alias iexec9): Arbitrum only, strict chain.json.
const IEXEC9 = path.join(here, 'node_modules/iexec9/dist/esm/cli/cmd/iexec.js');
const homes = [];

after(() => {
  for (const home of homes) {
    poolctl(home, ['services', 'down']);
    poolctl(home, ['devnet', 'reset']);
    fs.rmSync(home, { recursive: true, force: true });
  }
});

function sdk(work, cli = IEXEC) {
  const raw = (args) => {
    const chainless = ['wallet import'].includes(args.slice(0, 2).join(' '));
    const all = [...args, '--raw', ...(chainless ? [] : ['--chain', 'devnet'])];
    const r = spawnSync(cli, all, { cwd: work, encoding: 'utf8', timeout: 120000 });
    let json = null;
    try { json = JSON.parse(r.stdout); } catch { /* left null */ }
    return { json, out: r.stdout + r.stderr };
  };
  const run = (args) => {
    const { json, out } = raw(args);
    assert.ok(json && json.ok, `iexec ${args.join(' ')}: ${out}`);
    return json;
  };
  return { raw, run };
}

for (const flavour of ['native', 'token', 'arbitrum']) {
  test(`operator flow through poolctl, seen by the iexec CLI (${flavour})`, () => {
    const home = makeHome(`poolops-gw-${flavour}-`);
    homes.push(home);
    const up = ok(home, ['devnet', 'up', '--flavour', flavour]);
    const work = fs.mkdtempSync(path.join(home, 'sdk-'));
    const v9 = flavour === 'arbitrum';
    fs.copyFileSync(v9 ? up.chainJson9 : up.chainJson, path.join(work, 'chain.json'));
    const iexec = sdk(work, v9 ? IEXEC9 : IEXEC);
    // The SDK's `info` pocoVersion is its own package's, not the chain's: the
    // hub address is what says which deployment it reads.
    assert.equal(iexec.run(['info']).hubAddress, up.hub);
    const pw = writeSecret(home, 'pw', 'operator-password\n');
    const owner = up.accounts[1];
    const friend = up.accounts[3];

    ok(home, ['wallet', 'import', 'owner', '--private-key-file', owner.privateKeyFile,
      '--password-file', pw]);
    ok(home, ['wallet', 'unlock', 'owner', '--password-file', pw]);

    // wallet show: the same RLC balance as `iexec wallet show`.
    const shown = ok(home, ['wallet', 'show', 'owner']);
    assert.equal(shown.address, owner.address);
    const sdkWallet = iexec.run(['wallet', 'show', owner.address]);
    assert.equal(shown.rlc, sdkWallet.balance.nRLC);
    assert.equal(shown.stake, '0');

    // account deposit (nRLC by default) → iexec account show.
    const dep = ok(home, ['account', 'deposit', '1000', '--wallet', 'owner']);
    assert.match(dep.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal(dep.stake, '1000');
    assert.equal(iexec.run(['account', 'show', owner.address]).balance.stake, '1000');
    const dep2 = ok(home, ['account', 'deposit', '0.000001', '--unit', 'RLC', '--wallet', 'owner']);
    assert.equal(dep2.stake, '2000');

    // workerpool deploy → iexec workerpool show; a second deploy is refused.
    const wp = ok(home, ['workerpool', 'deploy', '--owner', 'owner', '--description',
      'poolops-gateway-pool']);
    assert.match(wp.address, /^0x[0-9a-fA-F]{40}$/);
    const seen = iexec.run(['workerpool', 'show', wp.address]);
    assert.equal(seen.workerpool.owner, owner.address);
    assert.equal(seen.workerpool.workerpoolDescription, 'poolops-gateway-pool');
    const dup = poolctl(home, ['workerpool', 'deploy', '--owner', 'owner', '--description',
      'poolops-gateway-pool']);
    assert.notEqual(dup.code, 0);
    assert.equal(dup.json.error.code, 'ALREADY_EXISTS');
    assert.ok(dup.json.error.message.includes(wp.address), dup.json.error.message);
    const mine = ok(home, ['workerpool', 'show', wp.address]);
    assert.deepEqual(mine, {
      address: wp.address, owner: owner.address, description: 'poolops-gateway-pool',
      workerStakeRatio: '30', schedulerRewardRatio: '1',
    });

    // send-rlc (RLC by default) → the recipient's balance in the SDK.
    const before = BigInt(iexec.run(['wallet', 'show', friend.address]).balance.nRLC);
    const sent = ok(home, ['wallet', 'send-rlc', '0.5', '--to', friend.address, '--from', 'owner']);
    assert.match(sent.txHash, /^0x[0-9a-f]{64}$/);
    const afterSend = BigInt(iexec.run(['wallet', 'show', friend.address]).balance.nRLC);
    assert.equal(afterSend - before, 500000000n);

    // withdraw → the SDK sees the new stake; too much is refused up front.
    assert.equal(ok(home, ['account', 'withdraw', '400', '--wallet', 'owner']).stake, '1600');
    assert.equal(iexec.run(['account', 'show', owner.address]).balance.stake, '1600');
    const over = poolctl(home, ['account', 'withdraw', '1601', '--wallet', 'owner']);
    assert.equal(over.json.error.code, 'FAILED_PRECONDITION');
    assert.equal(ok(home, ['account', 'show', 'owner']).stake, '1600');

    // The reverse: a workerpool the SDK deploys is seen by poolops.
    const other = up.accounts[2];
    const key = fs.readFileSync(other.privateKeyFile, 'utf8').trim();
    iexec.run(['wallet', 'import', key, '--keystoredir', path.join(work, 'ks'),
      '--password', 'devnet']);
    fs.writeFileSync(path.join(work, 'iexec.json'), JSON.stringify({
      description: 'sdk side', license: 'MIT', author: 'poolops',
      workerpool: { owner: other.address, description: 'deployed-by-the-sdk' } }));
    const sdkPool = iexec.run(['workerpool', 'deploy', '--keystoredir', path.join(work, 'ks'),
      '--wallet-address', other.address, '--password', 'devnet']).address;
    const byPoolops = ok(home, ['workerpool', 'show', sdkPool]);
    assert.equal(byPoolops.owner, other.address);
    assert.equal(byPoolops.description, 'deployed-by-the-sdk');
    const listed = ok(home, ['workerpool', 'list', '--owner', other.address]);
    assert.deepEqual(listed.workerpools.map((w) => w.address), [sdkPool]);

    // A name that is also a command (`devnet`) still works as the argument.
    assert.equal(ok(home, ['chain', 'show', 'devnet']).chains[0].name, 'devnet');
    assert.equal(ok(home, ['--json', 'chain', 'show', 'devnet']).chains[0].chainId, up.chainId);
    const noPool = poolctl(home, ['status', 'devnet']);
    assert.equal(noPool.json.error.code, 'NOT_FOUND', noPool.stdout);

    // Bad input is named.
    const badAddr = poolctl(home, ['workerpool', 'show', '0x1234']);
    assert.equal(badAddr.json.error.code, 'INVALID_ARGUMENT');
    const notPool = poolctl(home, ['workerpool', 'show', friend.address]);
    assert.equal(notPool.json.error.code, 'NOT_FOUND');
    const badUnit = poolctl(home, ['account', 'deposit', '1', '--unit', 'btc', '--wallet', 'owner']);
    assert.equal(badUnit.json.error.code, 'INVALID_ARGUMENT');
  });
}

test('chains: presets, the devnet default, add and import an SDK chain.json', () => {
  const home = makeHome('poolops-chains-');
  homes.push(home);
  const presets = ok(home, ['chain', 'list']).chains.map((c) => c.name);
  assert.deepEqual(presets, ['arbitrum-mainnet', 'arbitrum-sepolia-testnet', 'bellecour']);
  const bellecour = ok(home, ['chain', 'show', 'bellecour']).chains[0];
  assert.equal(bellecour.chainId, '134');
  assert.equal(bellecour.native, true);
  assert.equal(bellecour.default, true);
  const added = ok(home, ['chain', 'add', 'mine', '--rpc', 'http://127.0.0.1:1', '--hub',
    '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', '--chain-id', '1337', '--native']);
  assert.equal(added.name, 'mine');
  const again = poolctl(home, ['chain', 'add', 'mine', '--rpc', 'http://127.0.0.1:1', '--hub',
    '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', '--chain-id', '1337']);
  assert.equal(again.json.error.code, 'ALREADY_EXISTS');
  // The SDK can read the file poolops wrote.
  const file = path.join(home, 'chains', 'mine.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc.chains.mine.id, '1337');
  const sdkFile = path.join(home, 'sdk-chain.json');
  fs.writeFileSync(sdkFile, JSON.stringify({ default: 'other', chains: {
    bellecour: {}, other: { id: '7', host: 'http://127.0.0.1:2',
      hub: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', native: true } } }));
  const imported = ok(home, ['chain', 'import', sdkFile]);
  assert.ok(imported.chains.some((c) => c.name === 'other'));
  assert.equal(ok(home, ['chain', 'show']).chains[0].name, 'other');
  fs.writeFileSync(sdkFile, JSON.stringify({ chains: { x: { id: 7 } } }));
  const bad = poolctl(home, ['chain', 'import', sdkFile]);
  assert.equal(bad.json.error.code, 'INVALID_ARGUMENT');
  assert.match(bad.json.error.message, /chains\.x\.id/);
});
