// `cucm-sim class report DIR`: the gradebook of a class (CSV and JSON: trainee, exercise, goals met,
// score, time, hints) and each trainee's recorded sessions (.txt and .cast), written under DIR/report.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../../state/cluster/lab.js';
import { ensurePrivateDir } from '../../state/store.js';
import { writeSecretFile } from '../../state/cluster/logins.js';
import { evaluateExercise, resultsOf } from '../../state/exercises/results.js';
import { ClassError } from './roster.js';
import type { ClassFile } from './types.js';
import { CLASS_FILE } from './classroom.js';

export interface GradeRow {
  trainee: string;
  exercise: string;
  attempt: number;
  goalsMet: number;
  goalsTotal: number;
  score: number;
  passed: boolean;
  /** real seconds since the attempt started (to its pass, when it passed) */
  timeSeconds: number;
  labSeconds: number;
  hints: number;
  checks: number;
  sessions: number;
}

export const CSV_COLUMNS = ['trainee', 'exercise', 'attempt', 'goals_met', 'goals_total', 'score', 'passed', 'time_seconds', 'lab_seconds', 'hints', 'checks', 'sessions'];

/** A CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
function csvField(v: string | number | boolean): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function gradebookCsv(rows: GradeRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [r.trainee, r.exercise, r.attempt, r.goalsMet, r.goalsTotal, r.score, r.passed, r.timeSeconds, r.labSeconds, r.hints, r.checks, r.sessions].map(csvField).join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function sessionFiles(dir: string, name: string): string[] {
  const d = join(dir, 'transcripts', name);
  return existsSync(d) ? readdirSync(d).filter((f) => /^\d{4,}-[A-Za-z0-9-]+\.(txt|cast)$/.test(f)).sort() : [];
}

/**
 * Every trainee's row. `served` gives the labs of a class being served (`class report` at the
 * instructor's console); without it each lab is opened and locked while read, so the class must
 * not be served meanwhile.
 */
export function gradebook(dir: string, served?: (name: string) => Lab | undefined): GradeRow[] {
  const path = join(dir, CLASS_FILE);
  if (!existsSync(path)) throw new ClassError(`${dir} is no class folder (it has no ${CLASS_FILE})`);
  const file = JSON.parse(readFileSync(path, 'utf8')) as ClassFile;
  const rows: GradeRow[] = [];
  for (const name of file.trainees) {
    const sessions = sessionFiles(dir, name).filter((f) => f.endsWith('.txt')).length;
    let lab = served?.(name);
    const own = !lab;
    if (!lab) {
      const labDir = join(dir, 'labs', name);
      if (!Lab.exists(labDir)) continue;
      lab = Lab.open(labDir, 'cucm-sim class report');
    }
    try {
      rows.push(gradeRow(name, lab, sessions));
    } finally {
      if (own) lab.close();
    }
  }
  return rows;
}

function gradeRow(name: string, lab: Lab, sessions: number): GradeRow {
  const x = lab.state.exercise;
  if (!x) return { trainee: name, exercise: '', attempt: 0, goalsMet: 0, goalsTotal: 0, score: 0, passed: false, timeSeconds: 0, labSeconds: 0, hints: 0, checks: 0, sessions };
  const r = resultsOf(lab, x, evaluateExercise(lab, x));
  const passedWall = x.passedWall;
  return {
    trainee: name,
    exercise: x.id,
    attempt: x.attempt,
    goalsMet: r.goals.filter((g) => g.met).length,
    goalsTotal: r.goals.length,
    score: r.score,
    passed: r.passed,
    timeSeconds: passedWall !== undefined ? Math.floor(Math.max(0, passedWall - x.startedWall) / 1000) : r.wallSeconds,
    labSeconds: r.labSeconds,
    hints: r.hintsUsed,
    checks: r.checks,
    sessions,
  };
}

/** Writes DIR/report: gradebook.csv, gradebook.json, transcripts/<trainee>/... (all 0600); the folder. */
export function writeReport(dir: string, served?: (name: string) => Lab | undefined): { out: string; rows: GradeRow[]; files: number } {
  const rows = gradebook(dir, served);
  const out = join(dir, 'report');
  ensurePrivateDir(out);
  writeSecretFile(join(out, 'gradebook.csv'), gradebookCsv(rows));
  writeSecretFile(join(out, 'gradebook.json'), JSON.stringify({ generatedAt: new Date().toISOString(), rows }, null, 2) + '\n');
  let files = 0;
  for (const r of rows) {
    const list = sessionFiles(dir, r.trainee);
    if (!list.length) continue;
    const to = join(out, 'transcripts', r.trainee);
    ensurePrivateDir(to);
    for (const f of list) {
      // through the store's writer: 0600 even where the copy replaces an older report's file
      writeSecretFile(join(to, f), readFileSync(join(dir, 'transcripts', r.trainee, f)));
      files++;
    }
  }
  return { out, rows, files };
}
