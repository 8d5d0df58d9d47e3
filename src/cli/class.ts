// `cucm-sim class report DIR | archive DIR FILE | restore FILE DIR`: a class folder's results,
// and the folder kept as one file and brought back.
import { writeReport } from '../class/report.js';
import { archiveClass, restoreClass } from '../class/bundle.js';
import { ClassError } from '../class/roster.js';
import { type CommonFlags, UsageError } from './args.js';

export const CLASS_USAGE = 'cucm-sim class report DIR | archive DIR FILE | restore FILE DIR';

interface Out {
  write(s: string): unknown;
}

export async function classMain(flags: CommonFlags, args: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const [sub, a, b, ...extra] = args;
  const want = sub === 'report' ? 1 : 2;
  if (sub !== undefined && (extra.length || (want === 1 && b !== undefined))) throw new UsageError(`too many words for 'class ${sub}' (usage: ${CLASS_USAGE})`, 'class');
  try {
    switch (sub) {
      case 'report': {
        if (!a) throw new UsageError(`class report needs the class folder (usage: ${CLASS_USAGE})`, 'class');
        const r = writeReport(a);
        out.write(`Gradebook of ${r.rows.length} trainee${r.rows.length === 1 ? '' : 's'}: ${r.out}/gradebook.csv, ${r.out}/gradebook.json; ${r.files} session file${r.files === 1 ? '' : 's'} in ${r.out}/transcripts\n`);
        return 0;
      }
      case 'archive': {
        if (!a || !b) throw new UsageError(`class archive needs the class folder and the file to write (usage: ${CLASS_USAGE})`, 'class');
        const n = archiveClass(a, b);
        out.write(`Archived ${n} files of ${a} to ${b}\n`);
        return 0;
      }
      case 'restore': {
        if (!a || !b) throw new UsageError(`class restore needs the archive and a new folder (usage: ${CLASS_USAGE})`, 'class');
        const n = restoreClass(a, b, flags.maxRestoreBytes);
        out.write(`Restored ${n} files into ${b}: serve it with 'cucm-sim serve --class-dir ${b}'\n`);
        return 0;
      }
      case undefined:
        throw new UsageError(`class needs a subcommand (usage: ${CLASS_USAGE})`, 'class');
      default:
        throw new UsageError(`unknown class subcommand '${sub}' (usage: ${CLASS_USAGE})`, 'class');
    }
  } catch (e) {
    if (e instanceof ClassError) {
      err.write(`cucm-sim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
