// Workerpool orders through poolctl (chain-gateway) on the devnet, in the
// native flavour (PoCo 5.5.0) and the arbitrum one (PoCo 6.1.0, the Diamond,
// RLC token, EIP-1559), checked by independent implementations: ethers
// recovers the owner from poolops' signature and hashes the order as poolops
// did, the hub's verifySignature accepts it, the real iexec CLI sees what
// poolops published (8.24.0 on PoCo 5.5, 9.0.1 on PoCo 6), and an order
// signed by poolops is matched on-chain (matchOrders) with an app order and
// a request order signed by ethers, creating a deal. On PoCo 6 (iExec v9,
// no SGX) the TEE orders are TDX (tag 0x…09, trust 1), matched with TDX app
// and request orders, and scone is refused. Then the market's rules (stake)
// and the on-chain cancel.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ethers } from 'ethers';
import { makeHome, ok, poolctl, writeSecret } from './poolctl.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// iexec 8.24.0 by its own path: node_modules/.bin/iexec may be 9.x's.
const IEXEC = path.join(here, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
// iexec 9.0.1 (npm alias iexec9): Arbitrum only, strict chain.json.
const IEXEC9 = path.join(here, 'node_modules/iexec9/dist/esm/cli/cmd/iexec.js');
// PoCo 5.5.0 (npm) and the PoCo 6.1.0 package the arbitrum devnet replays
// (unpacked by scripts/lib.sh into node_modules/iexec-poco6).
const POCO5 = path.join(here, 'node_modules/@iexec/poco/artifacts/contracts');
const POCO6 = path.join(here, 'node_modules/iexec-poco6/artifacts/contracts');
const TAG0 = ethers.ZeroHash;
const tagOf = (low) => `0x${low.padStart(64, '0')}`;
const TDX = tagOf('9');  // tee + tdx
// What differs between the flavours: the ABIs, the SDK and its chain.json,
// the TEE tag an operator signs, how a requester stakes, the fees.
const FLAVOURS = {
  native: {
    hubAbi: require(`${POCO5}/IexecInterfaceNative.sol/IexecInterfaceNative.json`).abi,
    appsAbi: require(`${POCO5}/registries/apps/AppRegistry.sol/AppRegistry.json`).abi,
    iexec: IEXEC, chainJson: 'chainJson', token: false,
    tee: { flags: ['--tag', 'tee,scone'], tag: tagOf('3'), trust: '0' },
    fees: { gasPrice: 0 },
  },
  arbitrum: {
    hubAbi: require(`${POCO6}/IexecInterfaceToken.sol/IexecInterfaceToken.json`).abi,
    appsAbi: require(`${POCO6}/registries/apps/AppRegistry.sol/AppRegistry.json`).abi,
    iexec: IEXEC9, chainJson: 'chainJson9', token: true,
    tee: { flags: ['--tag', 'tee,tdx', '--trust', '1'], tag: TDX, trust: '1' },
    fees: {},  // EIP-1559: ethers asks the node
  },
};
const homes = [];

after(() => {
  for (const home of homes) {
    poolctl(home, ['services', 'down']);
    poolctl(home, ['devnet', 'reset']);
    fs.rmSync(home, { recursive: true, force: true });
  }
});

const ZERO = ethers.ZeroAddress;
const ZERO32 = ethers.ZeroHash;
const TYPES = {
  WorkerpoolOrder: [
    { name: 'workerpool', type: 'address' }, { name: 'workerpoolprice', type: 'uint256' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' },
    { name: 'category', type: 'uint256' }, { name: 'trust', type: 'uint256' },
    { name: 'apprestrict', type: 'address' }, { name: 'datasetrestrict', type: 'address' },
    { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' }],
  AppOrder: [
    { name: 'app', type: 'address' }, { name: 'appprice', type: 'uint256' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' },
    { name: 'datasetrestrict', type: 'address' }, { name: 'workerpoolrestrict', type: 'address' },
    { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' }],
  RequestOrder: [
    { name: 'app', type: 'address' }, { name: 'appmaxprice', type: 'uint256' },
    { name: 'dataset', type: 'address' }, { name: 'datasetmaxprice', type: 'uint256' },
    { name: 'workerpool', type: 'address' }, { name: 'workerpoolmaxprice', type: 'uint256' },
    { name: 'requester', type: 'address' }, { name: 'volume', type: 'uint256' },
    { name: 'tag', type: 'bytes32' }, { name: 'category', type: 'uint256' },
    { name: 'trust', type: 'uint256' }, { name: 'beneficiary', type: 'address' },
    { name: 'callback', type: 'address' }, { name: 'params', type: 'string' },
    { name: 'salt', type: 'bytes32' }],
};
const one = (name) => ({ [name]: TYPES[name] });
const unsigned = (order) => { const { sign, ...rest } = order; return rest; };

function sdkOrderbook(cli, work, args) {
  const r = spawnSync(cli, ['orderbook', 'workerpool', ...args, '--raw', '--chain', 'devnet'],
    { cwd: work, encoding: 'utf8', timeout: 120000 });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* left null */ }
  assert.ok(json && json.ok, r.stdout + r.stderr);
  return json;
}

// The requester's stake for its deals: native deposit() with the coin, or
// RLC approveAndCall on token hubs (PoCo 6's deposit is token-based).
async function stakeForRequests(hub, requester, { token, fees }) {
  if (!token) {
    await (await hub.connect(requester).deposit({ value: ethers.parseEther('1'), ...fees })).wait();
    return;
  }
  const rlc = new ethers.Contract(await hub.token(),
    ['function approveAndCall(address,uint256,bytes) returns (bool)'], requester);
  await (await rlc.approveAndCall(await hub.getAddress(), 1_000_000n, '0x', fees)).wait();
}

for (const flavour of Object.keys(FLAVOURS)) {
  test(`orders signed and published by poolops, verified by ethers, the hub and the iexec CLI, matched on-chain (${flavour})`, async () => {
    const f = FLAVOURS[flavour];
    const v9 = flavour === 'arbitrum';
    const home = makeHome(`poolops-orders-${flavour}-`);
    homes.push(home);
    const up = ok(home, ['devnet', 'up', '--flavour', flavour]);
    const provider = new ethers.JsonRpcProvider(up.rpc, undefined,
      { staticNetwork: true, cacheTimeout: -1 });
    provider.pollingInterval = 50;
    const keyOf = (a) => fs.readFileSync(a.privateKeyFile, 'utf8').trim();
    const owner = up.accounts[1];
    const appDev = new ethers.Wallet(keyOf(up.accounts[2]), provider);
    const requester = new ethers.Wallet(keyOf(up.accounts[3]), provider);
    const hub = new ethers.Contract(up.hub, f.hubAbi, provider);
    const domain = { name: 'iExecODB', version: '5.0.0', chainId: Number(up.chainId),
      verifyingContract: up.hub };

    const pw = writeSecret(home, 'pw', 'operator-password\n');
    ok(home, ['wallet', 'import', 'owner', '--private-key-file', owner.privateKeyFile,
      '--password-file', pw]);
    ok(home, ['wallet', 'unlock', 'owner', '--password-file', pw]);
    ok(home, ['account', 'deposit', '10000', '--wallet', 'owner']);
    const pool = ok(home, ['workerpool', 'deploy', '--owner', 'owner', '--description',
      'poolops-orders-pool']).address;

    // sign: ethers recovers the owner and hashes the order as poolops did.
    // The TEE order of the chain: SGX (scone) on PoCo 5.5, TDX on PoCo 6.
    const file = path.join(home, 'order.json');
    const signed = ok(home, ['order', 'sign', '--workerpool', pool, '--wallet', 'owner',
      '--price', '0.000001', '--unit', 'RLC', '--volume', '3', ...f.tee.flags, '--out', file]);
    const o = signed.order;
    assert.equal(o.workerpoolprice, '1000');
    assert.equal(o.volume, '3');
    assert.equal(o.tag, f.tee.tag);
    assert.equal(o.trust, f.tee.trust);
    assert.equal(o.category, '0');
    assert.equal(o.requesterrestrict, ZERO);
    assert.match(o.salt, /^0x[0-9a-f]{64}$/);
    assert.match(o.sign, /^0x[0-9a-f]{128}(1b|1c)$/);
    assert.equal(ethers.verifyTypedData(domain, one('WorkerpoolOrder'), unsigned(o), o.sign),
      owner.address);
    assert.equal(ethers.TypedDataEncoder.hash(domain, one('WorkerpoolOrder'), unsigned(o)),
      signed.orderHash);
    assert.equal(await hub.verifySignature(owner.address, signed.orderHash, o.sign), true);
    const again = ok(home, ['order', 'sign', '--workerpool', pool, '--wallet', 'owner']);
    assert.notEqual(again.order.salt, o.salt);  // a fresh salt each time
    assert.equal(again.order.volume, '1');      // the SDK's defaults
    assert.equal(again.order.workerpoolprice, '0');
    assert.equal(again.order.tag, TAG0);        // standard, on PoCo 6 too
    assert.equal(await hub.verifySignature(owner.address, again.orderHash, again.order.sign),
      true);

    if (v9) {
      // iExec v9 has no SGX: refused, saying why and what to use, on every
      // path that signs or publishes; TDX needs trust >= 1.
      for (const args of [
        ['order', 'sign', '--workerpool', pool, '--wallet', 'owner', '--tag', 'tee,scone'],
        ['order', 'publish', '--workerpool', pool, '--wallet', 'owner', '--tag', 'tee,gramine'],
        ['publisher', 'set', '--workerpool', pool, '--wallet', 'owner', '--core-metrics',
          'http://127.0.0.1:9/metrics', '--tag', 'tee,scone', '--disable']]) {
        const r = poolctl(home, args);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.equal(r.json.error.code, 'INVALID_ARGUMENT');
        assert.match(r.json.error.message, /SGX \(scone, gramine\) is gone from iExec v9 \/ PoCo 6 chains/);
        assert.ok(r.json.error.message.includes(`hub ${up.hub} is a PoCo 6 Diamond`),
          r.json.error.message);
        assert.ok(r.json.error.message.includes(`use tee,tdx (${TDX}) for TDX or no tag`),
          r.json.error.message);
      }
      const untrusted = poolctl(home, ['order', 'sign', '--workerpool', pool, '--wallet',
        'owner', '--tag', TDX]);
      assert.equal(untrusted.json.error.code, 'INVALID_ARGUMENT');
      assert.match(untrusted.json.error.message, /trust >= 1/);
    }

    // publish from the file → the market's orderbook, and the iexec CLI's.
    // As CLI.md writes it: the wallet defaults to the workerpool owner's.
    const pub = ok(home, ['order', 'publish', '--order-file', file]);
    assert.equal(pub.orderHash, signed.orderHash);
    const book = ok(home, ['orderbook', 'workerpool', pool]);
    assert.equal(book.count, 1);
    assert.equal(book.openVolume, '3');
    assert.deepEqual(book.orders[0], {
      orderHash: signed.orderHash, workerpoolprice: '1000', volume: '3', remaining: '3',
      category: '0', tag: o.tag, trust: f.tee.trust, requesterrestrict: ZERO,
      publicationTimestamp: book.orders[0].publicationTimestamp });
    const work = fs.mkdtempSync(path.join(home, 'sdk-'));
    fs.copyFileSync(up[f.chainJson], path.join(work, 'chain.json'));
    if (v9) {
      // A standard order beside the TDX one: the SDK 9 sees both, and only
      // the TDX one when asked for TDX.
      ok(home, ['order', 'publish', '--workerpool', pool, '--wallet', 'owner', '--price', '5']);
      const both = sdkOrderbook(f.iexec, work, [pool]);
      assert.equal(both.count, 2);
      assert.deepEqual(both.workerpoolOrders.map((x) => x.tag).sort(), [TAG0, TDX]);
      const tdx = sdkOrderbook(f.iexec, work, [pool, '--tag', 'tee,tdx']);
      assert.equal(tdx.count, 1);
      assert.equal(tdx.workerpoolOrders[0].orderHash, signed.orderHash);
      assert.equal(Number(tdx.workerpoolOrders[0].trust), 1);
      assert.equal(Number(tdx.workerpoolOrders[0].remaining), 3);
    } else {
      const sdkJson = sdkOrderbook(f.iexec, work, [pool]);
      assert.equal(sdkJson.count, 1);
      assert.equal(sdkJson.workerpoolOrders[0].orderHash, signed.orderHash);
    }
    // Published twice: the market's own error, named.
    const dup = poolctl(home, ['order', 'publish', '--order-file', file, '--wallet', 'owner']);
    assert.equal(dup.json.error.code, 'ALREADY_EXISTS');
    assert.match(dup.json.error.message, /order already published/);

    // The stake rule, refused before the market with what is missing.
    const dear = poolctl(home, ['order', 'publish', '--workerpool', pool, '--wallet', 'owner',
      '--price', '1', '--unit', 'RLC', '--volume', '1']);
    assert.equal(dear.code, 4);
    assert.equal(dear.json.error.code, 'FAILED_PRECONDITION');
    assert.match(dear.json.error.message, /stake is too low to cover required workerpool lock/);
    assert.match(dear.json.error.message, /300000000 nRLC/);
    // Only the owner.
    const notOwner = poolctl(home, ['order', 'sign', '--workerpool', pool, '--wallet',
      up.accounts[4].address]);
    assert.notEqual(notOwner.code, 0);

    // matchOrders: poolops' workerpool order + ethers' app and request
    // orders; on PoCo 6 a standard deal and a TDX one.
    const apps = new ethers.Contract(await hub.appregistry(), f.appsAbi, appDev);
    const created = await (await apps.createApp(appDev.address, 'echo', 'DOCKER',
      ethers.toUtf8Bytes('docker.io/poolops/echo:1'), ZERO32, '0x', f.fees)).wait();
    const transfer = created.logs.map((l) => apps.interface.parseLog(l)).find((e) => e?.name === 'Transfer');
    const app = ethers.getAddress(ethers.toBeHex(transfer.args.tokenId, 20));
    await stakeForRequests(hub, requester, f);
    const datasetOrder = { dataset: ZERO, datasetprice: 0, volume: 0, tag: ZERO32, apprestrict: ZERO,
      workerpoolrestrict: ZERO, requesterrestrict: ZERO, salt: ZERO32, sign: '0x' };
    const salt = () => ethers.hexlify(ethers.randomBytes(32));
    const deal = async ({ tee = [], tag = TAG0, trust = 0 }) => {
      const match = ok(home, ['order', 'sign', '--workerpool', pool, '--wallet', 'owner',
        '--price', '1000', '--volume', '2', ...tee]).order;
      assert.equal(match.tag, tag);
      const matchHash = ethers.TypedDataEncoder.hash(domain, one('WorkerpoolOrder'), unsigned(match));
      const appOrder = { app, appprice: 0, volume: 10, tag, datasetrestrict: ZERO,
        workerpoolrestrict: ZERO, requesterrestrict: ZERO, salt: salt() };
      appOrder.sign = await appDev.signTypedData(domain, one('AppOrder'), appOrder);
      const requestOrder = { app, appmaxprice: 0, dataset: ZERO, datasetmaxprice: 0,
        workerpool: pool, workerpoolmaxprice: 1000, requester: requester.address, volume: 1,
        tag, category: 0, trust, beneficiary: requester.address, callback: ZERO,
        params: '{"iexec_args":"hi"}', salt: salt() };
      requestOrder.sign = await requester.signTypedData(domain, one('RequestOrder'), requestOrder);
      const receipt = await (await hub.connect(requester).matchOrders(appOrder, datasetOrder,
        match, requestOrder, { ...f.fees, gasLimit: 3_000_000 })).wait();
      const matched = receipt.logs.map((l) => { try { return hub.interface.parseLog(l); } catch { return null; } })
        .find((e) => e?.name === 'OrdersMatched');
      assert.ok(matched, 'OrdersMatched event');
      assert.equal(matched.args.workerpoolHash, matchHash);
      assert.equal(matched.args.volume, 1n);
      const d = await hub.viewDeal(matched.args.dealid);
      assert.equal(d.workerpool.pointer, pool);
      assert.equal(d.workerpool.owner, owner.address);
      assert.equal(d.tag, tag);
      assert.equal(d.trust, BigInt(Math.max(trust, 1)));  // PoCo: at least 1
      assert.equal(await hub.viewConsumed(matchHash), 1n);
    };
    await deal({});
    if (v9) await deal({ tee: ['--tag', 'tee,tdx', '--trust', '1'], tag: TDX, trust: 1 });

    // cancel on-chain → viewConsumed == volume; a second cancel is refused.
    const cancelled = ok(home, ['order', 'cancel', '--order-file', file, '--wallet', 'owner']);
    assert.match(cancelled.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal(await hub.viewConsumed(signed.orderHash), 3n);
    const twice = poolctl(home, ['order', 'cancel', '--order-file', file, '--wallet', 'owner']);
    assert.equal(twice.json.error.code, 'FAILED_PRECONDITION');
    assert.match(twice.json.error.message, /workerpoolorder already canceled/);

    // unpublish: last and all.
    ok(home, ['order', 'publish', '--workerpool', pool, '--wallet', 'owner', '--price', '10']);
    ok(home, ['order', 'publish', '--workerpool', pool, '--wallet', 'owner', '--price', '20']);
    const last = ok(home, ['order', 'unpublish', '--workerpool', pool, '--wallet', 'owner', '--last']);
    assert.equal(last.unpublished.length, 1);
    const all = ok(home, ['order', 'unpublish', '--workerpool', pool, '--wallet', 'owner', '--all']);
    assert.ok(all.unpublished.length >= 1);
    const none = poolctl(home, ['order', 'unpublish', '--workerpool', pool, '--wallet', 'owner', '--all']);
    assert.equal(none.json.error.code, 'FAILED_PRECONDITION');
  });
}

// The publisher loop inside chain-gateway, fed by a core /metrics served
// here (iexec-core 7.x fields), publishing on the devnet's market.
test('publisher keeps the free CPUs published, within the stake', async () => {
  const home = makeHome('poolops-publisher-');
  homes.push(home);
  const up = ok(home, ['devnet', 'up']);
  const pw = writeSecret(home, 'pw', 'operator-password\n');
  ok(home, ['wallet', 'import', 'owner', '--private-key-file', up.accounts[1].privateKeyFile,
    '--password-file', pw]);
  ok(home, ['wallet', 'unlock', 'owner', '--password-file', pw]);
  ok(home, ['account', 'deposit', '900', '--wallet', 'owner']);
  const pool = ok(home, ['workerpool', 'deploy', '--owner', 'owner', '--description',
    'poolops-publisher-pool']).address;
  let cpus = 2;
  const core = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ aliveWorkers: 1, aliveTotalCpu: 4, aliveAvailableCpu: cpus,
      aliveTotalGpu: 0, aliveAvailableGpu: 0, completedTasks: 0 }));
  });
  await new Promise((r) => core.listen(0, '127.0.0.1', r));
  const metrics = `http://127.0.0.1:${core.address().port}/metrics`;
  try {
    const help = poolctl(home, ['publisher', '--help']);
    assert.match(help.stdout, /aliveAvailableCpu/);
    const bad = poolctl(home, ['publisher', 'set', '--workerpool', pool, '--wallet', 'owner']);
    assert.equal(bad.json.error.code, 'INVALID_ARGUMENT');
    assert.match(bad.json.error.message, /core metrics URL/);

    // 1,000 nRLC per task locks 300: 900 staked cover three tasks.
    const set = ok(home, ['publisher', 'set', '--workerpool', pool, '--wallet', 'owner',
      '--core-metrics', metrics, '--price', '1000', '--max-open-orders', '5', '--period', '1s']);
    assert.equal(set.running, true);
    assert.equal(set.maxOpenOrders, 5);
    const waitFor = async (pred) => {
      for (let i = 0; i < 100; i += 1) {
        await sleep(100);  // lets this process answer the gateway's /metrics
        const s = ok(home, ['publisher', 'status', '--workerpool', pool]);
        if (pred(s)) return s;
      }
      throw new Error('publisher did not get there');
    };
    let st = await waitFor((s) => s.publishedTotal >= 2);
    assert.equal(st.availableCapacity, '2');
    assert.ok(st.rounds >= 1);
    assert.ok(st.lastDecision, JSON.stringify(st));  // a line for a person
    assert.equal(ok(home, ['orderbook', 'workerpool', pool]).openVolume, '2');
    cpus = 5;  // three more wanted, the stake covers one
    st = await waitFor((s) => s.publishedTotal >= 3 && s.lastError);
    assert.match(st.lastError, /stake too low/);
    await sleep(1500);
    assert.equal(ok(home, ['orderbook', 'workerpool', pool]).openVolume, '3');
    const off = ok(home, ['publisher', 'set', '--workerpool', pool, '--wallet', 'owner',
      '--core-metrics', metrics, '--price', '1000', '--disable']);
    assert.equal(off.running, false);
    assert.equal(off.enabled, false);

    // A price range, as the container's WORKERPOOL_PRICE_MIN/MAX: both
    // ends or neither, min <= max, in the unit of --unit, read back in nRLC.
    const base = ['publisher', 'set', '--workerpool', pool, '--wallet', 'owner',
      '--core-metrics', metrics, '--disable'];
    const range = ok(home, [...base, '--unit', 'RLC', '--price-min', '1', '--price-max', '2']);
    assert.equal(range.priceMin, '1000000000');
    assert.equal(range.priceMax, '2000000000');
    assert.equal(ok(home, ['publisher', 'status', '--workerpool', pool]).priceMax, '2000000000');
    for (const [flags, why] of [[['--price-min', '5'], /price_min.*price_max|price_max.*price_min/],
      [['--price-min', '9', '--price-max', '5'], /minimum is above the maximum/]]) {
      const r = poolctl(home, [...base, ...flags]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(r.json.error.code, 'INVALID_ARGUMENT');
      assert.match(r.json.error.message, why);
    }
  } finally {
    core.close();
  }
});
