// Lab console: help, quit, exit, reset-lab, and the instructor's account tools: unlock, set password.
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import { rebuildLab } from '../../state/ops/rebuild.js';
import { DEFAULT_PASSWORD, LAB_ACCOUNT, MIN_PASSWORD, labPasswordFile, readLabPassword, saveLabPassword, unlockAccounts } from '../../state/cluster/logins.js';
import { formatDuration } from './util.js';

function overview(ctx: CommandContext): number {
  const reg = ctx.registry;
  const specs = reg.allCommands().sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')));
  ctx.out('Lab console commands (help <command> for details; ? and Tab complete):', '');
  for (const s of specs) {
    const syntax = reg.syntaxLine(s);
    ctx.out(`  ${syntax}`, `      ${s.summary}`);
  }
  return 0;
}

async function resetLab(ctx: CommandContext) {
  ctx.out('This throws the whole lab away and builds it again from its topology: certificates, trust files, phones, backups.');
  const ans = (await ctx.ask('Reset the lab (yes|no)? ')).trim().toLowerCase();
  if (ans !== 'yes' && ans !== 'y') {
    ctx.out('Nothing was changed.');
    return 0;
  }
  await ctx.mutate(() => rebuildLab(ctx.lab));
  ctx.out(`The lab '${ctx.lab.state.name}' was rebuilt.`);
  return 0;
}

/** The SSH login accounts: the OS administrator (by its user name; `admin` also names it) and `lab`. */
function accountNames(c: CompletionContext): string[] {
  return [...new Set([c.lab.state.accounts.admin.user, LAB_ACCOUNT])];
}

function accountOf(ctx: CommandContext, name: string): string | undefined {
  const admin = ctx.lab.state.accounts.admin.user;
  if (name === admin || name === 'admin') return admin;
  return name === LAB_ACCOUNT ? LAB_ACCOUNT : undefined;
}

/** Everything with a password: the login accounts, the CCM application user and the cluster security password. */
function secretNames(c: CompletionContext): string[] {
  return [...new Set([...accountNames(c), c.lab.state.accounts.application.user, SECURITY])];
}

const SECURITY = 'security';

function noAccount(ctx: CommandContext, name: string): number {
  return ctx.fail(`No account '${name}' (accounts: ${accountNames(ctx).join(', ')}).`);
}

async function unlock(ctx: CommandContext, a: Record<string, string>) {
  const account = a.account === undefined ? undefined : accountOf(ctx, a.account);
  if (a.account !== undefined && !account) return noAccount(ctx, a.account);
  const lifted = await unlockAccounts(ctx.lab, account);
  if (!lifted.length) ctx.out(account ? `The account ${account} is not locked out from any address.` : 'No account is locked out.');
  for (const l of lifted) ctx.out(`Unlocked ${l.account} from ${l.source} (${formatDuration(Math.max(0, l.wallUntil - Date.now()))} of the lockout were left).`);
  return 0;
}

async function setPassword(ctx: CommandContext, a: Record<string, string>) {
  const app = ctx.lab.state.accounts.application.user;
  const account = a.account === SECURITY || a.account === app ? a.account : accountOf(ctx, a.account);
  if (!account) return ctx.fail(`No account '${a.account}' (accounts: ${secretNames(ctx).join(', ')}).`);
  const pw = await ctx.ask('New password: ', { password: true });
  const again = await ctx.ask('Confirm new password: ', { password: true });
  if (pw !== again) return ctx.fail('The passwords do not match. Nothing was changed.');
  if (pw.length < MIN_PASSWORD) return ctx.fail(`The password must be at least ${MIN_PASSWORD} characters long. Nothing was changed.`);
  if (pw === DEFAULT_PASSWORD) return ctx.fail(`${DEFAULT_PASSWORD} is the password every new lab starts with: choose another. Nothing was changed.`);
  // trainees log in with the admin password: the lab console must never take it
  if (account === LAB_ACCOUNT && pw === ctx.lab.state.accounts.admin.password)
    return ctx.fail("The lab console password must differ from the OS administrator's, which every trainee knows. Nothing was changed.");
  if (account === ctx.lab.state.accounts.admin.user && account !== LAB_ACCOUNT && pw === readLabPassword(ctx.lab))
    return ctx.fail("The OS administrator password must differ from the lab console's, or every trainee could open the lab console. Nothing was changed.");
  if (account === SECURITY) {
    await ctx.mutate(() => void (ctx.lab.state.accounts.securityPassword = pw));
    ctx.out('The cluster security password was changed (it protects ITLRecovery.p12 files made from now on).');
  } else if (account === app) {
    await ctx.mutate(() => void (ctx.lab.state.accounts.application.password = pw));
    ctx.out(`The password of the CCM application user ${account} was changed.`);
  } else if (account === LAB_ACCOUNT) {
    saveLabPassword(ctx.lab, pw);
    ctx.out(`The lab console password was changed (kept in ${labPasswordFile(ctx.lab)}, readable by its owner only).`);
  } else {
    await ctx.mutate(() => void (ctx.lab.state.accounts.admin.password = pw));
    ctx.out(`The password of the OS administrator ${account} was changed.`);
  }
  return 0;
}

function refusedOverExec(ctx: CommandContext): number {
  return ctx.fail("reset-lab is not run from an SSH exec request: open the lab console (ssh lab@<server>) and run it there, where it asks first.");
}

/** The lab console's modules as SSH exec requests see them: reset-lab refuses. */
export function forExec(m: CommandModule): CommandModule {
  return { ...m, commands: m.commands.map((c) => (c.path[0] === 'reset-lab' ? { ...c, run: refusedOverExec } : c)) };
}

const session: CommandModule = {
  menus: [{ path: ['set'], summary: 'Set an account password' }],
  commands: [
    {
      path: ['help'],
      summary: 'Lists the commands, or describes one.',
      params: [{ name: 'command', required: false, help: 'the command to describe', rest: true }],
      run(ctx, a) {
        const reg = ctx.registry;
        if (!a.command) return overview(ctx);
        const r = reg.resolve(a.command, { lab: ctx.lab, node: ctx.node });
        if (r.kind === 'command' || r.kind === 'badparam') {
          ctx.out(...reg.detailedHelp(r.spec));
          return 0;
        }
        if (r.kind === 'incomplete') {
          const path = r.path.join(' ');
          ctx.out(`${path}: ${r.node.summary}`);
          for (const c of [...r.node.children.values()].sort((x, y) => x.word.localeCompare(y.word))) ctx.out(`  ${(path + ' ' + c.word).padEnd(28)} ${c.summary}`);
          return 0;
        }
        return ctx.fail(`No command '${a.command}'. Type 'help' for the list.`);
      },
    },
    { path: ['quit'], summary: 'Leaves the lab console.', run: (ctx) => ctx.endSession() },
    { path: ['exit'], summary: 'Leaves the lab console.', run: (ctx) => ctx.endSession() },
    {
      path: ['reset-lab'],
      summary: 'Builds the whole lab again from its topology (asks for confirmation; --force on the command line).',
      run: resetLab,
    },
    {
      path: ['unlock'],
      summary: 'Lifts SSH login lockouts: of one account, or of every account (and forgets failed attempts).',
      params: [{ name: 'account', required: false, help: 'the account (admin user or lab); all when omitted', values: accountNames }],
      example: ['lab>unlock admin'],
      run: unlock,
    },
    {
      path: ['set', 'password'],
      summary: `Sets a password: the OS administrator, lab (this console), the CCM application user, or security (the cluster security password); at least ${MIN_PASSWORD} characters.`,
      params: [{ name: 'account', required: true, help: 'admin user, lab, application user or security', values: secretNames }],
      example: ['lab>set password admin'],
      run: setPassword,
    },
  ],
};

export default session;
