// show itl, show ctl, show version active|inactive, show myself, show cli ... (show cert: show_cert.ts;
// show network: show_network.ts; show status: show_status.ts)
import type { CommandModule } from '../../src/console/command.js';
import { showCtl, showItl } from './show_trustlist.js';

const show: CommandModule = {
  menus: [
    { path: ['show'], summary: 'Show system information' },
    { path: ['show', 'version'], summary: 'Show version information' },
    { path: ['show', 'cli'], summary: 'Show CLI settings' },
  ],
  commands: [
    {
      path: ['show', 'itl'],
      summary: 'This command displays the ITL file contents or prints an error message if the ITL file is invalid.',
      example: ['admin:show itl'],
      run: (ctx) => showItl(ctx),
    },
    {
      path: ['show', 'ctl'],
      summary: 'This command displays the contents of the Certificate Trust List (CTL) file on the server. It notifies you if the CTL is invalid.',
      example: ['admin:show ctl'],
      run: (ctx) => showCtl(ctx),
    },
    {
      path: ['show', 'version', 'active'],
      summary: 'This command displays the software version on the active partition.',
      run(ctx) {
        ctx.out(`Active Master Version: ${ctx.lab.state.version}`, 'Active Version Installed Software Options:', 'No Installed Software Options Found.');
      },
    },
    {
      path: ['show', 'version', 'inactive'],
      summary: 'This command displays the software version on the inactive partition.',
      run(ctx) {
        // a lab is a fresh install: nothing was ever installed on the inactive partition; the lines
        // keep the shape of the active form (`Inactive Master Version:`, cucm-cli.md §3.13)
        ctx.out('Inactive Master Version: ', 'Inactive Version Installed Software Options:', 'No Installed Software Options Found.');
      },
    },
    {
      path: ['show', 'myself'],
      summary: 'This command displays information about the current account.',
      run(ctx) {
        ctx.out(
          `Machine Name    : ${ctx.node.name}`,
          `account name    : ${ctx.session.user}`,
          'privilege level : 4',
          `command count   : ${ctx.session.commandCount}`,
          'logging setting : 1',
        );
      },
    },
    {
      path: ['show', 'cli', 'pagination'],
      summary: 'This command displays the status of automatic CLI pagination.',
      run(ctx) {
        ctx.out(`Automatic Pagination : ${ctx.session.pagination ? 'On' : 'Off'}.`);
      },
    },
    {
      path: ['show', 'cli', 'session', 'timeout'],
      summary: 'This command displays the CLI session timeout in minutes.',
      run(ctx) {
        ctx.out(`CLI session timeout : ${ctx.lab.state.cli.sessionTimeoutMin} minutes.`);
      },
    },
    {
      path: ['show', 'accountlocking'],
      summary: 'This command displays the current account locking settings.',
      run(ctx) {
        ctx.out('Account Lockout is enabled', 'Unlock Time : 300 seconds', 'Retry Count : 3 attempts');
        void ctx;
      },
    },
  ],
};

export default show;
