// Workerpool orders through poolctl (chain-gateway) on the devnet, checked by
// independent implementations: ethers recovers the owner from poolops'
// signature and hashes the order as poolops did, the hub's verifySignature
// accepts it, the real iexec 8.24.0 CLI sees what poolops published, and an
// order signed by poolops is matched on-chain (matchOrders) with an app order
// and a request order signed by ethers, creating a deal. Then the market's
// rules (stake) and the on-chain cancel.
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
const POCO = path.join(here, 'node_modules/@iexec/poco/artifacts/contracts');
const HUB_ABI = require(`${POCO}/IexecInterfaceNative.sol/IexecInterfaceNative.json`).abi;
const APP_REGISTRY_ABI =
  require(`${POCO}/registries/apps/AppRegistry.sol/AppRegistry.json`).abi;
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

test('orders signed and published by poolops, verified by ethers, the hub and the iexec CLI, matched on-chain', async () => {
  const home = makeHome('poolops-orders-');
  homes.push(home);
  const up = ok(home, ['devnet', 'up']);
  const provider = new ethers.JsonRpcProvider(up.rpc, undefined,
    { staticNetwork: true, cacheTimeout: -1 });
  provider.pollingInterval = 50;
  const keyOf = (a) => fs.readFileSync(a.privateKeyFile, 'utf8').trim();
  const owner = up.accounts[1];
  const appDev = new ethers.Wallet(keyOf(up.accounts[2]), provider);
  const requester = new ethers.Wallet(keyOf(up.accounts[3]), provider);
  const hub = new ethers.Contract(up.hub, HUB_ABI, provider);
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
  const file = path.join(home, 'order.json');
  const signed = ok(home, ['order', 'sign', '--workerpool', pool, '--wallet', 'owner',
    '--price', '0.000001', '--unit', 'RLC', '--volume', '3', '--tag', 'tee,scone', '--out', file]);
  const o = signed.order;
  assert.equal(o.workerpoolprice, '1000');
  assert.equal(o.volume, '3');
  assert.equal(o.tag, `0x${'0'.repeat(63)}3`);
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

  // publish from the file → the market's orderbook, and the iexec CLI's.
  // As CLI.md writes it: the wallet defaults to the workerpool owner's.
  const pub = ok(home, ['order', 'publish', '--order-file', file]);
  assert.equal(pub.orderHash, signed.orderHash);
  const book = ok(home, ['orderbook', 'workerpool', pool]);
  assert.equal(book.count, 1);
  assert.equal(book.openVolume, '3');
  assert.deepEqual(book.orders[0], {
    orderHash: signed.orderHash, workerpoolprice: '1000', volume: '3', remaining: '3',
    category: '0', tag: o.tag, trust: '0', requesterrestrict: ZERO,
    publicationTimestamp: book.orders[0].publicationTimestamp });
  const work = fs.mkdtempSync(path.join(home, 'sdk-'));
  fs.copyFileSync(up.chainJson, path.join(work, 'chain.json'));
  const sdkBook = spawnSync(IEXEC, ['orderbook', 'workerpool', pool, '--raw', '--chain', 'devnet'],
    { cwd: work, encoding: 'utf8', timeout: 120000 });
  const sdkJson = JSON.parse(sdkBook.stdout);
  assert.ok(sdkJson.ok, sdkBook.stdout + sdkBook.stderr);
  assert.equal(sdkJson.count, 1);
  assert.equal(sdkJson.workerpoolOrders[0].orderHash, signed.orderHash);
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

  // matchOrders: poolops' workerpool order + ethers' app and request orders.
  const match = ok(home, ['order', 'sign', '--workerpool', pool, '--wallet', 'owner',
    '--price', '1000', '--volume', '2']).order;
  const matchHash = ethers.TypedDataEncoder.hash(domain, one('WorkerpoolOrder'), unsigned(match));
  const apps = new ethers.Contract(await hub.appregistry(), APP_REGISTRY_ABI, appDev);
  const created = await (await apps.createApp(appDev.address, 'echo', 'DOCKER',
    ethers.toUtf8Bytes('docker.io/poolops/echo:1'), ZERO32, '0x', { gasPrice: 0 })).wait();
  const transfer = created.logs.map((l) => apps.interface.parseLog(l)).find((e) => e?.name === 'Transfer');
  const app = ethers.getAddress(ethers.toBeHex(transfer.args.tokenId, 20));
  const appOrder = { app, appprice: 0, volume: 10, tag: ZERO32, datasetrestrict: ZERO,
    workerpoolrestrict: ZERO, requesterrestrict: ZERO, salt: ethers.hexlify(ethers.randomBytes(32)) };
  appOrder.sign = await appDev.signTypedData(domain, one('AppOrder'), appOrder);
  const requestOrder = { app, appmaxprice: 0, dataset: ZERO, datasetmaxprice: 0, workerpool: pool,
    workerpoolmaxprice: 1000, requester: requester.address, volume: 1, tag: ZERO32, category: 0,
    trust: 0, beneficiary: requester.address, callback: ZERO, params: '{"iexec_args":"hi"}',
    salt: ethers.hexlify(ethers.randomBytes(32)) };
  requestOrder.sign = await requester.signTypedData(domain, one('RequestOrder'), requestOrder);
  const datasetOrder = { dataset: ZERO, datasetprice: 0, volume: 0, tag: ZERO32, apprestrict: ZERO,
    workerpoolrestrict: ZERO, requesterrestrict: ZERO, salt: ZERO32, sign: '0x' };
  const asHub = hub.connect(requester);
  await (await asHub.deposit({ value: ethers.parseEther('1'), gasPrice: 0 })).wait();
  const receipt = await (await asHub.matchOrders(appOrder, datasetOrder, match, requestOrder,
    { gasPrice: 0, gasLimit: 3_000_000 })).wait();
  const matched = receipt.logs.map((l) => { try { return hub.interface.parseLog(l); } catch { return null; } })
    .find((e) => e?.name === 'OrdersMatched');
  assert.ok(matched, 'OrdersMatched event');
  assert.equal(matched.args.workerpoolHash, matchHash);
  assert.equal(matched.args.volume, 1n);
  const deal = await hub.viewDeal(matched.args.dealid);
  assert.equal(deal.workerpool.pointer, pool);
  assert.equal(deal.workerpool.owner, owner.address);
  assert.equal(await hub.viewConsumed(matchHash), 1n);

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
