// The real iExec SDK CLI (iexec 8.24.0, npm) reads and decrypts the vault's
// keystore folder as its own (`--keystoredir`), on a local anvil chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { makeHome, ok, poolctl, writeSecret } from './poolctl.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// iexec 8.24.0 by its own path: node_modules/.bin/iexec may be 9.x's.
const IEXEC = path.join(here, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
const ANVIL = path.join(here, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const home = makeHome('poolops-iexec-');
const work = fs.mkdtempSync(path.join(home, 'sdk-'));
let anvil;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitForRpc(url) {
  for (let i = 0; i < 100; ++i) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`anvil did not answer at ${url}`);
}

before(async () => {
  const port = await freePort();
  anvil = spawn(ANVIL, ['--host', '127.0.0.1', '--port', String(port), '--hardfork', 'berlin',
    '--gas-price', '0', '--chain-id', '65535', '--silent'], { stdio: 'ignore' });
  await waitForRpc(`http://127.0.0.1:${port}`);
  // A native chain as the SDK declares a local one (hub unused by `wallet show`).
  fs.writeFileSync(path.join(work, 'chain.json'), JSON.stringify({ default: 'dev', chains: { dev: {
    id: '65535', host: `http://127.0.0.1:${port}`, hub: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    native: true, useGas: false } } }));
  ok(home, ['services', 'up']);
});

after(() => {
  poolctl(home, ['services', 'down']);
  if (anvil) anvil.kill('SIGTERM');
  fs.rmSync(home, { recursive: true, force: true });
});

function iexec(args) {
  const r = spawnSync(IEXEC, [...args, '--raw'], { cwd: work, encoding: 'utf8', timeout: 120000 });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* left null */ }
  assert.ok(json && json.ok, `iexec ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return json;
}

test('iexec wallet show --keystoredir finds and decrypts a vault wallet', () => {
  const password = 'sdk interop password';
  const pw = writeSecret(work, 'pw', password);
  const w = ok(home, ['wallet', 'create', 'core', '--password-file', pw]);
  const keystoredir = path.dirname(w.keystore);

  const shown = iexec(['wallet', 'show', '--keystoredir', keystoredir, '--wallet-address', w.address]);
  assert.equal(shown.wallet.address, w.address);

  // The SDK's own decryption (ethers inside) gives the key of that address.
  // The password goes in argv here only because the SDK offers nothing else
  // besides a prompt; it is a throwaway test secret.
  const decrypted = iexec(['wallet', 'show', '--keystoredir', keystoredir, '--wallet-address', w.address,
    '--show-private-key', '--password', password]);
  assert.equal(decrypted.wallet.address, w.address);
  assert.equal(new ethers.Wallet(decrypted.wallet.privateKey).address, w.address);
});
