// The SSH server's limits as the command line sets them: one mapping for `serve` and `serve --class`.
import type { CommonFlags } from './args.js';

export function sshLimits(flags: CommonFlags) {
  return {
    allowExec: flags.allowExec,
    maxStartups: flags.maxStartups,
    // connections not logged in yet, from all addresses: at least 50, more when one address may have more
    maxUnauthenticated: flags.maxStartups === undefined ? undefined : Math.max(50, flags.maxStartups),
    authTimeoutMs: flags.loginGraceTime === undefined ? undefined : flags.loginGraceTime * 1000,
    maxAuthTries: flags.maxAuthTries,
    maxSessions: flags.maxSessions,
    maxSessionsPerNode: flags.maxSessionsPerNode,
    maxSessionsPerUser: flags.maxSessionsPerUser,
    maxOutputBuffer: flags.maxOutputBuffer,
    stalledTimeoutMs: flags.stalledTimeout === undefined ? undefined : flags.stalledTimeout * 1000,
    sftpAllow: flags.sftpAllow,
  };
}
