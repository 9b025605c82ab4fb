/**
 * The lab CA: a throw-away certificate authority made with `openssl` in a temp dir, and server
 * certificates for lab host names and loopback IPs. Go trusts it through SSL_CERT_FILE (which
 * replaces the system roots), git through GIT_SSL_CAINFO.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LabError } from './errors.js';

export interface ServerCert {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface LabCa {
  dir: string;
  /** PEM file to give go as SSL_CERT_FILE. */
  caCertPath: string;
  caPem: string;
  /** A leaf certificate for these DNS names and IPs, signed by the lab CA. */
  issue(names: string[], ips?: string[]): Promise<ServerCert>;
  cleanup(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execa('openssl', args, { cwd, timeout: 20_000, stdin: 'ignore' });
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string; code?: string };
    if (e.code === 'ENOENT') throw new LabError('the lab needs openssl (apt-get install openssl)', { cause: err });
    throw new LabError(`openssl ${args[0]} failed: ${(e.stderr || e.shortMessage || String(err)).trim().split('\n')[0]}`, { cause: err });
  }
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function createLabCa(opts: { dir?: string; name?: string } = {}): Promise<LabCa> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'gomod-trace-lab-ca-')));
  await openssl(['req', '-x509', ...KEY_ARGS, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7',
    '-subj', `/O=gomod-trace lab/CN=${opts.name ?? 'gomod-trace lab CA'}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const caCertPath = join(dir, 'ca.pem');
  const caPem = await readFile(caCertPath, 'utf8');
  let serial = 0;
  return {
    dir,
    caCertPath,
    caPem,
    async issue(names, ips = []) {
      if (names.length + ips.length === 0) throw new Error('a server certificate needs at least one name or IP');
      const n = ++serial;
      const base = `srv${n}`;
      const san = [...names.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
      await writeFile(join(dir, `${base}.ext`),
        `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
      await openssl(['req', ...KEY_ARGS, '-keyout', `${base}.key`, '-out', `${base}.csr`,
        '-subj', `/O=gomod-trace lab/CN=${names[0] ?? ips[0]}`], dir);
      await openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
        '-set_serial', String(1000 + n), '-days', '7', '-extfile', `${base}.ext`, '-out', `${base}.pem`], dir);
      const certPath = join(dir, `${base}.pem`);
      const keyPath = join(dir, `${base}.key`);
      return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8'), certPath, keyPath };
    },
    async cleanup() {
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
