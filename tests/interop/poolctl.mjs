// Runs the poolctl binary under test and parses its --json output.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const POOLCTL = process.env.POOLCTL;
if (!POOLCTL) throw new Error('set POOLCTL to the poolctl binary');

export function makeHome(prefix = 'poolops-interop-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Runs `poolctl --home HOME --json ...args`; returns {code, json, stderr}.
export function poolctl(home, args, { input } = {}) {
  const r = spawnSync(POOLCTL, ['--home', home, '--json', ...args], {
    input, encoding: 'utf8', timeout: 120000,
  });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* left null */ }
  return { code: r.status, json, stdout: r.stdout, stderr: r.stderr };
}

// Like poolctl() but fails the test unless the command succeeded.
export function ok(home, args, opts) {
  const r = poolctl(home, args, opts);
  if (r.code !== 0 || !r.json) {
    throw new Error(`poolctl ${args.join(' ')} failed (${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return r.json;
}

export function writeSecret(dir, name, content) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}
