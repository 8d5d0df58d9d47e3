// utils service list | restart | start | stop <service name>
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import { findService, ServiceState } from '../../state/cluster/services.js';

function controllable(c: CompletionContext): string[] {
  return c.node.services.filter((s) => !s.platform).map((s) => s.name);
}

function statusLine(s: ServiceState): string {
  const sep = s.platform ? ' ' : '';
  if (s.status === 'STOPPED') {
    const why = !s.activated ? '  Service Not Activated' : s.commandedOut ? '  Commanded Out of Service' : '';
    return `${s.name}${sep}[STOPPED]${why}`;
  }
  return `${s.name}${sep}[${s.status}]`;
}

export function serviceListLines(services: ServiceState[]): string[] {
  const lines = ['Requesting service status, please wait...'];
  for (const s of services.filter((x) => x.platform)) lines.push(statusLine(s));
  lines.push('Service Manager is running', 'Getting list of all services', '>> Return code = 0');
  for (const s of services.filter((x) => !x.platform)) lines.push(statusLine(s));
  lines.push('Command successful');
  return lines;
}

function lookup(ctx: CommandContext, typed: string): ServiceState | undefined {
  const s = findService(ctx.node.services, typed);
  return s && !s.platform ? s : undefined;
}

const WARN = 'Do not press Ctrl+C while the service is restarting. If the service has not restarted properly, execute the same command again.';

async function control(ctx: CommandContext, action: 'restart' | 'start' | 'stop', typed: string) {
  const svc = lookup(ctx, typed);
  if (!svc) return ctx.fail(`Service ${typed} does not exist. Please check the service name using 'utils service list'`);
  if (!svc.activated) return ctx.fail(`${svc.name} is not activated. Activate it from Cisco Unified Serviceability first.`);
  if (action === 'restart') ctx.out(WARN);
  ctx.out('Service Manager is running');
  const name = svc.name;
  // intermediate states are visible to other sessions while this one waits
  if (action !== 'start' && svc.status === 'STARTED') {
    await ctx.mutate(() => {
      svc.status = 'STOPPING';
    });
    ctx.out(`${name}[STOPPING]`);
    await ctx.sleep(1000);
    ctx.out(`${name}[STOPPING]`);
  }
  await ctx.mutate(() => {
    const live = findService(ctx.node.services, name)!;
    if (action === 'stop') ctx.lab.stopService(live);
    else live.status = 'STARTING';
  });
  if (action === 'stop') {
    ctx.out(`${name}[STOPPED]`);
    return 0;
  }
  ctx.out(`${name}[STARTING]`);
  await ctx.sleep(1500);
  ctx.out(`${name}[STARTING]`);
  await ctx.mutate(() => {
    const live = findService(ctx.node.services, name)!;
    if (action === 'restart') ctx.lab.restartService(ctx.node, live);
    else ctx.lab.startService(ctx.node, live);
  });
  ctx.out(`${name}[STARTED]`);
  return 0;
}

const serviceParam = { name: 'service-name', required: true, help: 'name of the service, as utils service list shows it', rest: true, values: controllable };

const utilsService: CommandModule = {
  menus: [
    { path: ['utils'], summary: 'Utility commands' },
    { path: ['utils', 'service'], summary: 'Service control commands' },
  ],
  commands: [
    {
      path: ['utils', 'service', 'list'],
      summary: 'This command retrieves a list of all services and their status.',
      params: [{ name: 'page', required: false, help: 'pause output', values: ['page'] }],
      run(ctx) {
        ctx.out(...serviceListLines(ctx.node.services));
      },
    },
    {
      path: ['utils', 'service', 'restart'],
      summary: 'This command restarts a service.',
      params: [serviceParam],
      example: ['admin:utils service restart Cisco Tftp'],
      run: (ctx, a) => control(ctx, 'restart', a['service-name']),
    },
    {
      path: ['utils', 'service', 'start'],
      summary: 'This command starts a service.',
      params: [serviceParam],
      run: (ctx, a) => control(ctx, 'start', a['service-name']),
    },
    {
      path: ['utils', 'service', 'stop'],
      summary: 'This command stops a service.',
      params: [serviceParam],
      run: (ctx, a) => control(ctx, 'stop', a['service-name']),
    },
  ],
};

export default utilsService;
