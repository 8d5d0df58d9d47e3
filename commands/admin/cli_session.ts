// Session commands: quit, exit, help <command>, set cli pagination, set cli session timeout.
import type { CommandModule } from '../../src/console/command.js';

const cliSession: CommandModule = {
  menus: [
    { path: ['set'], summary: 'Set system properties' },
    { path: ['set', 'cli'], summary: 'CLI settings' },
    { path: ['set', 'cli', 'session'], summary: 'CLI session settings' },
  ],
  commands: [
    {
      path: ['quit'],
      summary: 'This command logs you out of the CLI. If you are logged in remotely, the ssh session is dropped.',
      run(ctx) {
        ctx.endSession();
      },
    },
    {
      path: ['exit'],
      summary: 'This command logs you out of the CLI.',
      run(ctx) {
        ctx.endSession();
      },
    },
    {
      path: ['help'],
      summary: 'This command displays help for a command.',
      params: [{ name: 'command', required: false, help: 'the command to describe', rest: true }],
      run(ctx, a) {
        const reg = ctx.registry;
        if (!a.command) {
          ctx.out('help:', 'This will display help for a command.', '', 'Example:', 'admin:help show itl');
          return 0;
        }
        const r = reg.resolve(a.command, { lab: ctx.lab, node: ctx.node });
        if (r.kind === 'command' || r.kind === 'badparam') {
          ctx.out(...reg.detailedHelp(r.spec));
          return 0;
        }
        if (r.kind === 'incomplete') {
          const word = r.path[r.path.length - 1];
          ctx.out(`${word} help:`, r.node.summary || word, '', ...reg.listing([...r.node.children.values()], ctx.session.width));
          return 0;
        }
        return ctx.fail('No valid command entered');
      },
    },
    {
      path: ['set', 'cli', 'pagination'],
      summary: 'This command turns automatic pagination on or off for the current CLI account.',
      params: [{ name: 'on|off', required: true, help: 'on or off', values: ['on', 'off'], strict: true }],
      run(ctx, a) {
        // for this session only: a new session of the account starts with pagination on again
        const on = a['on|off'].toLowerCase() === 'on';
        ctx.session.pagination = on;
        ctx.out(on ? 'Automatic pagination is turned on' : 'Automatic pagination is turned off');
      },
    },
    {
      path: ['set', 'cli', 'session', 'timeout'],
      summary: 'This command sets the time, in minutes, after which an active CLI session times out.',
      params: [{ name: 'minutes', required: true, help: 'Value range: 5-99999 minutes' }],
      async run(ctx, a) {
        const n = Number(a.minutes);
        if (!Number.isInteger(n) || n < 5 || n > 99999) return ctx.fail('Value range: 5-99999 minutes');
        await ctx.mutate(() => {
          ctx.lab.state.cli.sessionTimeoutMin = n;
        });
        ctx.out('Successful', 'Note: The new session timeout value becomes effective immediately for new sessions. ');
      },
    },
  ],
};

export default cliSession;
