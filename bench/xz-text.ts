// A recorded xz file (../shared/data) as text, by the system's xz: Node has no xz.

import { spawn } from 'node:child_process';

export function xzDecompressed(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('xz', ['-dc', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`xz -dc ${file}: exit status ${status}`))));
  });
}
