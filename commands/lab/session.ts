// Lab console: help, quit, exit, reset-lab.
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { rebuildLab } from '../../state/ops/rebuild.js';

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

const session: CommandModule = {
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
  ],
};

export default session;
