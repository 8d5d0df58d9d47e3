// The option table and its parser, in process: values as the subcommands receive them.
import { describe, expect, it } from 'vitest';
import { FLAGS, parseCommon, UsageError } from '../src/cli/args.js';

describe('parseCommon', () => {
  it('--version with a word is the lab profile; alone, before another option or as -V it asks for the program version', () => {
    expect(parseCommon(['lab', 'create', 'x', '--version', '12.5']).flags).toMatchObject({ version: '12.5' });
    expect(parseCommon(['lab', 'create', 'x', '--version=15']).flags).toMatchObject({ version: '15' });
    expect(parseCommon(['lab', 'create', 'x', '--version', '12.5']).flags.showVersion).toBeUndefined();
    for (const argv of [['--version'], ['-V'], ['lab', 'create', 'x', '--version', '--seed', '1'], ['-V', '12.5']]) {
      const { flags } = parseCommon(argv);
      expect(flags.showVersion, argv.join(' ')).toBe(true);
      expect(flags.version, argv.join(' ')).toBeUndefined();
    }
  });

  it('reads --name value, --name=value, switches, repeatable options and -- before dashed words', () => {
    const { flags, positionals } = parseCommon(['serve', '--port=0', '--host', '::1', '--allow-exec', '--sftp-allow', 'a', '--sftp-allow', 'b:2022', '--', '-x']);
    expect(flags).toMatchObject({ port: 0, host: '::1', allowExec: true, sftpAllow: ['a', 'b:2022'] });
    expect(positionals).toEqual(['serve', '-x']);
    expect(parseCommon(['lab', 'create', 'a', '--nodes', '3']).flags.nodes).toBe(3);
    expect(parseCommon(['lab', 'create', 'a', '--nodes', 'pub,sub-1']).flags.nodes).toEqual(['pub', 'sub-1']);
    expect(parseCommon(['--sql-timeout', '0.5']).flags.sqlTimeout).toBe(0.5);
    expect(parseCommon(['--clock', '2025-01-06T09:00:00Z']).flags.clock).toBe('2025-01-06T09:00:00Z');
    expect(parseCommon(['serve', '--host', 'localhost']).flags.host).toBe('localhost');
  });

  it('names the subcommand whose help the error points at, also when the option comes first', () => {
    const sub = (argv: string[]) => {
      try {
        parseCommon(argv);
      } catch (e) {
        return (e as UsageError).sub;
      }
      return 'no error';
    };
    expect(sub(['--port', 'x', 'serve'])).toBe('serve');
    expect(sub(['run', '--junit'])).toBe('run');
    expect(sub(['--bogus'])).toBe('session');
    expect(sub(['--allow-exec=yes'])).toBe('session');
  });

  it('each option is in the table once, with a help line and the subcommands it applies to', () => {
    const names = FLAGS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FLAGS) {
      expect(f.help.length, f.name).toBeGreaterThan(5);
      expect(f.subs.length, f.name).toBeGreaterThan(0);
      // a value with a placeholder is always checked
      if (f.arg) expect(f.value, f.name).toBeDefined();
    }
  });
});
