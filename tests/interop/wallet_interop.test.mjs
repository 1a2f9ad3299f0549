// Interop of wallet-vault with ethers v6, an independent implementation:
// keystores both ways, signed transactions, EIP-712 and EIP-191 signatures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import { makeHome, ok, poolctl, writeSecret } from './poolctl.mjs';

const home = makeHome();
const secrets = fs.mkdtempSync(path.join(home, 'secrets-'));
const password = 'correct horse battery staple';
const pwFile = writeSecret(secrets, 'pw', password + '\n');

before(() => { ok(home, ['services', 'up']); });
after(() => {
  poolctl(home, ['services', 'down']);
  fs.rmSync(home, { recursive: true, force: true });
});

test('a keystore written by the vault decrypts in ethers to the same address', async () => {
  const w = ok(home, ['wallet', 'create', 'vaultmade', '--password-file', pwFile]);
  assert.match(w.address, /^0x[0-9a-fA-F]{40}$/);
  assert.equal(w.address, ethers.getAddress(w.address), 'EIP-55 checksummed');
  const base = path.basename(w.keystore);
  assert.match(base, new RegExp(`^UTC--\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}000000Z--${w.address.slice(2)}$`));
  assert.equal(fs.statSync(w.keystore).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(w.keystore)).mode & 0o777, 0o700);
  const json = fs.readFileSync(w.keystore, 'utf8');
  const parsed = JSON.parse(json);
  assert.equal(parsed.version, 3);
  assert.equal(parsed.Crypto.kdfparams.n, 131072);
  assert.equal(parsed.Crypto.kdfparams.r, 8);
  assert.equal(parsed.Crypto.kdfparams.p, 1);
  const wallet = await ethers.Wallet.fromEncryptedJson(json, password);
  assert.equal(wallet.address, w.address);

  const exported = path.join(secrets, 'exported.json');
  ok(home, ['wallet', 'export', 'vaultmade', '--out', exported]);
  const again = await ethers.Wallet.fromEncryptedJson(fs.readFileSync(exported, 'utf8'), password);
  assert.equal(again.address, w.address);
  assert.equal(again.privateKey, wallet.privateKey);
});

test('keystores written by ethers (scrypt) and geth-style (crypto, N=2^18) import', async () => {
  const key = ethers.Wallet.createRandom();
  const scrypt = await ethers.encryptKeystoreJson(new ethers.Wallet(key.privateKey), password, { scrypt: { N: 1 << 14 } });
  const f1 = writeSecret(secrets, 'ethers.json', scrypt);
  const a = ok(home, ['wallet', 'import', 'fromethers', '--keystore', f1, '--password-file', pwFile]);
  assert.equal(a.address, key.address);

  const key2 = ethers.Wallet.createRandom();
  const geth = JSON.parse(await ethers.encryptKeystoreJson(new ethers.Wallet(key2.privateKey), password, { scrypt: { N: 1 << 18 } }));
  geth.crypto = geth.Crypto; delete geth.Crypto;              // geth spells it lowercase
  geth.crypto.kdfparams.n = String(geth.crypto.kdfparams.n);  // numbers as strings are read too
  delete geth.address;                                        // address is optional
  const f2 = writeSecret(secrets, 'geth.json', JSON.stringify(geth));
  const b = ok(home, ['wallet', 'import', 'gethstyle', '--keystore', f2, '--password-file', pwFile]);
  assert.equal(b.address, key2.address);

  const pkFile = writeSecret(secrets, 'pk', ethers.Wallet.createRandom().privateKey.slice(2) + '\r\n');
  const c = ok(home, ['wallet', 'import', 'frompk', '--private-key-file', pkFile, '--password-file', pwFile]);
  assert.equal(c.address, new ethers.Wallet('0x' + fs.readFileSync(pkFile, 'utf8').trim()).address);

  const list = ok(home, ['wallet', 'list']).wallets.map((w) => w.name);
  for (const n of ['fromethers', 'gethstyle', 'frompk']) assert.ok(list.includes(n), n);
});

test('wrong password and duplicate imports are clear errors', async () => {
  const bad = writeSecret(secrets, 'badpw', 'not the password\n');
  const key = ethers.Wallet.createRandom();
  const f = writeSecret(secrets, 'dup.json', await ethers.encryptKeystoreJson(new ethers.Wallet(key.privateKey), password, { scrypt: { N: 1024 } }));
  const r = poolctl(home, ['wallet', 'import', 'wrongpw', '--keystore', f, '--password-file', bad]);
  assert.notEqual(r.code, 0);
  assert.equal(r.json.error.code, 'PERMISSION_DENIED');
  assert.doesNotMatch(r.stdout + r.stderr, /not the password/);
  ok(home, ['wallet', 'import', 'dup1', '--keystore', f, '--password-file', pwFile]);
  const d = poolctl(home, ['wallet', 'import', 'dup2', '--keystore', f, '--password-file', pwFile]);
  assert.equal(d.json.error.code, 'ALREADY_EXISTS');
  assert.match(d.json.error.message, new RegExp(key.address.slice(2, 10), 'i'));
});

test('transactions signed by the vault parse in ethers with the right sender and fields', () => {
  const w = ok(home, ['wallet', 'create', 'signer', '--password-file', pwFile]);
  ok(home, ['wallet', 'unlock', 'signer', '--password-file', pwFile, '--ttl', '10m']);
  const legacy = { chainId: '134', nonce: '7', to: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f',
    value: '1000000000000000000', data: '0xd0e30db0', gas: '100000', gasPrice: '0' };
  const t1 = ok(home, ['wallet', 'sign-tx', 'signer', '--tx-file', writeSecret(secrets, 'tx1.json', JSON.stringify(legacy))]);
  const p1 = ethers.Transaction.from(t1.raw);
  assert.equal(p1.type, 0);
  assert.equal(p1.from, w.address);
  assert.equal(p1.chainId, 134n);
  assert.equal(p1.nonce, 7);
  assert.equal(p1.to, legacy.to);
  assert.equal(p1.value, 10n ** 18n);
  assert.equal(p1.data, legacy.data);
  assert.equal(p1.gasLimit, 100000n);
  assert.equal(p1.gasPrice, 0n);
  assert.equal(p1.hash, t1.hash);

  const eip1559 = { chainId: '421614', nonce: '0', to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    value: '5', data: '0x', gas: '21000', maxFeePerGas: '2000000000', maxPriorityFeePerGas: '1000000' };
  const t2 = ok(home, ['wallet', 'sign-tx', 'signer', '--tx-file', writeSecret(secrets, 'tx2.json', JSON.stringify(eip1559))]);
  const p2 = ethers.Transaction.from(t2.raw);
  assert.equal(p2.type, 2);
  assert.equal(p2.from, w.address);
  assert.equal(p2.chainId, 421614n);
  assert.equal(p2.maxFeePerGas, 2000000000n);
  assert.equal(p2.maxPriorityFeePerGas, 1000000n);
  assert.equal(p2.hash, t2.hash);

  const wrong = poolctl(home, ['wallet', 'sign-tx', 'signer', '--tx-file',
    writeSecret(secrets, 'tx3.json', JSON.stringify({ ...legacy, chainId: '0' }))]);
  assert.equal(wrong.json.error.code, 'INVALID_ARGUMENT');
  assert.match(wrong.json.error.message, /chain/i);
});

test('EIP-712 and EIP-191 signatures recover to the signer in ethers', () => {
  const w = ok(home, ['wallet', 'create', 'orders', '--password-file', pwFile]);
  ok(home, ['wallet', 'unlock', 'orders', '--password-file', pwFile]);
  const typed = {
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' }, { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }],
      WorkerpoolOrder: [
        { name: 'workerpool', type: 'address' }, { name: 'workerpoolprice', type: 'uint256' },
        { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' },
        { name: 'category', type: 'uint256' }, { name: 'trust', type: 'uint256' },
        { name: 'apprestrict', type: 'address' }, { name: 'datasetrestrict', type: 'address' },
        { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' }],
    },
    domain: { name: 'iExecODB', version: '5.0.0', chainId: '134',
      verifyingContract: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f' },
    primaryType: 'WorkerpoolOrder',
    message: { workerpool: '0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db', workerpoolprice: '1000',
      volume: '5', tag: '0x' + '0'.repeat(63) + '3', category: '0', trust: '0',
      apprestrict: ethers.ZeroAddress, datasetrestrict: ethers.ZeroAddress,
      requesterrestrict: ethers.ZeroAddress, salt: '0x' + '11'.repeat(32) },
  };
  const s = ok(home, ['wallet', 'sign-typed-data', 'orders', '--file', writeSecret(secrets, 'typed.json', JSON.stringify(typed))]);
  const types = { ...typed.types }; delete types.EIP712Domain;
  assert.equal(s.digest, ethers.TypedDataEncoder.hash(typed.domain, types, typed.message));
  assert.equal(ethers.verifyTypedData(typed.domain, types, typed.message, s.signature), w.address);
  assert.equal(ethers.getBytes(s.signature).length, 65);

  const message = 'Sign this message to prove you run the pool';
  const m = ok(home, ['wallet', 'sign-message', 'orders', '--message-file', writeSecret(secrets, 'msg.txt', message)]);
  assert.equal(m.digest, ethers.hashMessage(message));
  assert.equal(ethers.verifyMessage(message, m.signature), w.address);
});

test('a locked wallet refuses to sign', () => {
  ok(home, ['wallet', 'create', 'locked', '--password-file', pwFile]);
  ok(home, ['wallet', 'unlock', 'locked', '--password-file', pwFile]);
  const l = ok(home, ['wallet', 'lock', 'locked']);
  assert.equal(l.locked, true);
  const r = poolctl(home, ['wallet', 'sign-message', 'locked', '--message-file', writeSecret(secrets, 'm2.txt', 'x')]);
  assert.notEqual(r.code, 0);
  assert.equal(r.json.error.code, 'FAILED_PRECONDITION');
  assert.match(r.json.error.message, /locked/);
});
