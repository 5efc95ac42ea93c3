// dpb's STARTUP: a script from the coordinator, run with /bin/sh on the host
// (in the agent's directory, in its own process group) before the host takes
// jobs. A non-zero exit refuses the host; its output says why.

import { spawn } from 'node:child_process';
import { signalGroup } from './proc-identity.js';

const OUTPUT_LIMIT = 16 * 1024;

export function runStartupScript(file: string, cwd: string, timeoutS: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [file], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer): void => { output = (output + b.toString('utf8')).slice(-OUTPUT_LIMIT); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `could not run the STARTUP script: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
      if (timedOut) resolve({ ok: false, detail: `the STARTUP script took longer than ${timeoutS} s: ${output.trim()}` });
      else if (code === 0) resolve({ ok: true, detail: output.trim() });
      else resolve({ ok: false, detail: `the STARTUP script failed (${code ?? signal ?? '?'}): ${output.trim()}` });
    });
  });
}
