// Regenerates the ethers-written keystore fixtures of tests/data/keystore
// (run once from tests/interop: node gen_keystore_fixtures.mjs ../data/keystore).
import { ethers } from 'ethers';
import fs from 'node:fs';
const out = process.argv[2];
const pk = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const w = new ethers.Wallet(pk);
fs.writeFileSync(`${out}/ethers_scrypt_exp_ok.json`, await ethers.encryptKeystoreJson(w, 'ethers-password', { scrypt: { N: 1024 } }));
const geth = JSON.parse(await ethers.encryptKeystoreJson(w, 'geth password', { scrypt: { N: 262144 } }));
geth.crypto = geth.Crypto; delete geth.Crypto; geth.address = geth.address.toLowerCase();
fs.writeFileSync(`${out}/geth_scrypt_n262144_exp_ok.json`, JSON.stringify(geth));

// pbkdf2 keystores (ethers reads them but writes only scrypt): built from
// node's own crypto so the fixture does not depend on poolops code.
import crypto from 'node:crypto';
for (const [prf, digest, c] of [['hmac-sha512', 'sha512', 4096], ['hmac-sha256', 'sha256', 4096]]) {
  const salt = crypto.randomBytes(32);
  const iv = crypto.randomBytes(16);
  const dk = crypto.pbkdf2Sync('pbkdf2 password', salt, c, 32, digest);
  const cipher = crypto.createCipheriv('aes-128-ctr', dk.subarray(0, 16), iv);
  const ct = Buffer.concat([cipher.update(Buffer.from(pk.slice(2), 'hex')), cipher.final()]);
  const mac = ethers.keccak256(Buffer.concat([dk.subarray(16, 32), ct])).slice(2);
  const ks = { version: '3', id: crypto.randomUUID(), address: '0x' + w.address.slice(2).toLowerCase(),
    crypto: { cipher: 'aes-128-ctr', cipherparams: { iv: iv.toString('hex') }, ciphertext: ct.toString('hex'),
      kdf: 'pbkdf2', kdfparams: { c: String(c), dklen: 32, prf, salt: salt.toString('hex') }, mac } };
  fs.writeFileSync(`${out}/pbkdf2_${digest}_exp_ok.json`, JSON.stringify(ks, null, 2));
}
