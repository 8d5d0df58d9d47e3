// One real, read-only TFTP endpoint per node while `cucm-sim serve` runs, on consecutive UDP ports.
// A node answers only while it is powered on and its Cisco Tftp service runs; otherwise its port is
// closed and clients time out, as they would against the real server. Per-phone names resolve as the
// CUCM TFTP service resolves them (ITLSEP<MAC>.tlv -> ITLFile.tlv, SEP<MAC>.cnf.xml.sgn built on demand).
import type { Lab } from '../../state/cluster/lab.js';
import { resolveTftpFile } from '../../state/phones/fleet.js';
import { tftpServing } from '../../state/phones/tftpfiles.js';
import { startTftpServer, TftpServer } from './tftp-server.js';

export const TFTP_BASE_PORT = 6969;

export interface TftpEndpoint {
  /** node name when the endpoints started (the port stays with the node if it is renamed) */
  node: string;
  host: string;
  port: number;
}

export interface TftpEndpoints {
  endpoints: TftpEndpoint[];
  close(): Promise<void>;
}

export interface TftpEndpointOptions {
  host?: string;
  basePort?: number;
  /** concurrent transfers per client address (default 4) */
  maxPerSource?: number;
  log?: (line: string) => void;
}

export async function startTftpEndpoints(lab: Lab, opts: TftpEndpointOptions = {}): Promise<TftpEndpoints> {
  const host = opts.host ?? '127.0.0.1';
  const base = opts.basePort ?? TFTP_BASE_PORT;
  const count = lab.nodes.length;
  const servers: Array<TftpServer | undefined> = new Array(count).fill(undefined);
  // basePort 0: an ephemeral port per node (tests), kept when the endpoint closes and reopens
  const ports: number[] = Array.from({ length: count }, (_, i) => (base === 0 ? 0 : base + i));
  let closed = false;

  const open = async (i: number): Promise<TftpServer> =>
    startTftpServer({
      host,
      port: ports[i],
      maxPerSource: opts.maxPerSource,
      resolve: (filename) => {
        const node = lab.nodes[i];
        if (!node || !tftpServing(lab, node)) return undefined;
        return resolveTftpFile(lab, node, filename);
      },
      onTransfer: (t) => opts.log?.(`tftp ${lab.nodes[i]?.name ?? i} ${t.remote} ${t.filename} ${t.ok ? `${t.bytes} bytes` : `refused: ${t.error}`}`),
    });

  // every node's port is bound once at start, so a busy port is reported right away
  try {
    for (let i = 0; i < count; i++) {
      const s = await open(i);
      servers[i] = s;
      ports[i] = s.port;
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s?.close()));
    const i = servers.filter(Boolean).length;
    throw new Error(`cannot open TFTP port ${ports[i]} on ${host}: ${(e as Error).message}`);
  }

  // then ports follow power and the Tftp service
  let chain: Promise<void> = Promise.resolve();
  const reconcile = () => {
    chain = chain.then(async () => {
      for (let i = 0; i < count; i++) {
        if (closed) return;
        const node = lab.nodes[i];
        const want = !!node && tftpServing(lab, node);
        const have = servers[i];
        if (want && !have) {
          try {
            servers[i] = await open(i);
            opts.log?.(`tftp ${node.name} answering on ${host}:${ports[i]}`);
          } catch (e) {
            opts.log?.(`tftp ${node.name}: cannot reopen port ${ports[i]}: ${(e as Error).message}`);
          }
        } else if (!want && have) {
          servers[i] = undefined;
          await have.close();
          opts.log?.(`tftp ${node?.name ?? i} stopped answering (${node?.up ? 'Cisco Tftp is not running' : 'powered off'})`);
        }
      }
    });
  };
  const off = lab.onChange(reconcile);
  reconcile();

  return {
    endpoints: lab.nodes.map((n, i) => ({ node: n.name, host, port: ports[i] })),
    async close() {
      closed = true;
      off();
      await chain.catch(() => {});
      await Promise.all(servers.map((s) => s?.close()));
    },
  };
}
