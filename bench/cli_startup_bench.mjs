// poolctl's start-up, beside the iexec CLIs (8.24.0 and 9.0.1) in the same
// run: each command's wall time from spawn to exit (bench/spawn_timer, the
// median of RUNS), as a script calling it pays. poolctl talks to a running
// local suite on the native devnet, with one wallet in its vault; the iexec
// CLIs read their keystore and the same devnet. poolctl-full is the same
// poolctl linked with shared libraries and carrying the devnet (the build
// the front replaced): the before/after of issue 18.
// Usage: node bench/cli_startup_bench.mjs [runs]   (POOLCTL, POOLOPS_BIN_DIR set)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = path.join(here, '..', 'tests', 'interop');
const { makeHome, ok, poolctl, writeSecret } = await import(path.join(interop, 'poolctl.mjs'));
const IEXEC8 = path.join(interop, 'node_modules/iexec/dist/esm/cli/cmd/iexec.js');
const IEXEC9 = path.join(interop, 'node_modules/iexec9/dist/esm/cli/cmd/iexec.js');
const runs = Number(process.argv[2] || 30);
const bin = process.env.POOLOPS_BIN_DIR;
const POOLCTL = process.env.POOLCTL;
const FULL = path.join(path.dirname(POOLCTL), 'poolctl-full');
const TIMER = path.join(bin, 'spawn_timer');

// {runs, median_ms, min_ms, p90_ms} of `argv` run in `cwd`.
const time = (argv, cwd) => {
  const r = spawnSync(TIMER, [String(runs), '--', ...argv], { cwd, encoding: 'utf8' });
  const out = JSON.parse(r.stdout || '{}');
  if (r.status !== 0 || out.exit !== 0) {
    throw new Error(`${argv.join(' ')}: exit ${out.exit ?? r.status}: ${r.stderr}`);
  }
  return out;
};

const home = makeHome('poolops-startbench-');
try {
  const up = ok(home, ['devnet', 'up']);
  ok(home, ['services', 'up']);
  const pw = writeSecret(home, 'pw', 'bench-password\n');
  const acct = up.accounts[1];
  ok(home, ['wallet', 'import', 'owner', '--private-key-file', acct.privateKeyFile,
    '--password-file', pw]);
  const work = fs.mkdtempSync(path.join(home, 'sdk-'));
  fs.copyFileSync(up.chainJson, path.join(work, 'chain.json'));
  const key = fs.readFileSync(acct.privateKeyFile, 'utf8').trim();
  const ks = path.join(work, 'ks');
  const imp = spawnSync(IEXEC8, ['wallet', 'import', key, '--keystoredir', ks, '--password',
    'bench', '--raw'], { cwd: work, encoding: 'utf8' });
  if (!JSON.parse(imp.stdout || '{}').ok) throw new Error(`iexec wallet import: ${imp.stdout}`);
  const wallet = ['--keystoredir', ks, '--wallet-address', acct.address, '--password', 'bench'];

  const pc = (exe, args) => time([exe, '--home', home, ...args], work);
  const out = {
    runs,
    poolctl: {
      help: pc(POOLCTL, ['--help']),
      version: pc(POOLCTL, ['--version']),
      commands: pc(POOLCTL, ['commands', '--json']),
      chain_list: pc(POOLCTL, ['chain', 'list', '--json']),
      wallet_list: pc(POOLCTL, ['wallet', 'list', '--json']),
      wallet_show: pc(POOLCTL, ['wallet', 'show', 'owner', '--json']),
    },
    poolctl_full: {
      help: pc(FULL, ['--help']),
      chain_list: pc(FULL, ['chain', 'list', '--json']),
      wallet_list: pc(FULL, ['wallet', 'list', '--json']),
    },
  };
  for (const [name, exe] of [['iexec8', IEXEC8], ['iexec9', IEXEC9]]) {
    out[name] = {
      help: time([exe, '--help'], work),
      version: time([exe, '--version'], work),
    };
  }
  // The chain read beside `poolctl wallet show` (9.0.1 knows no native devnet).
  out.iexec8.wallet_show = time([IEXEC8, 'wallet', 'show', ...wallet, '--chain', 'devnet',
    '--raw'], work);
  console.log(JSON.stringify(out));
} finally {
  poolctl(home, ['services', 'down']);
  poolctl(home, ['devnet', 'reset']);
  fs.rmSync(home, { recursive: true, force: true });
}
