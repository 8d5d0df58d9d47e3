// What a class looks like from outside (the instructor's dashboard, the lab console's class
// commands, `cucm-sim class report`): one trainee's view, the options of a class, its roster.

/** One node of a trainee's cluster as the instructor sees it. */
export interface NodeView {
  name: string;
  up: boolean;
  /** the services an administrator restarts in the seed procedures (Tftp, TVS, CallManager...) */
  services: { name: string; state: string }[];
  /** MD5 of the ITL/CTL on the node's TFTP directory (what `show itl` / `show ctl` print) */
  itlMd5?: string;
  ctlMd5?: string;
}

/** What the instructor sees of one trainee. */
export interface TraineeView {
  name: string;
  /** SSH sessions open now */
  online: number;
  nodes: NodeView[];
  securityMode: 'non-secure' | 'mixed';
  /**
   * registered: phones that applied their configuration (trusted or non-secure); locked: phones
   * that refuse their TFTP server's files; untrusted: phones with no trust list that take any
   * signer; total: every phone (unreachable ones are only in the total)
   */
  phones: { registered: number; locked: number; untrusted: number; total: number };
  exercise?: { id: string; goalsMet: number; goalsTotal: number; passed: boolean };
  /** ISO time of the trainee's last command, login or logout */
  lastActivity?: string;
}

/** One line of the class file: a name and, optionally, a password. */
export interface TraineeEntry {
  name: string;
  password: string;
}

export interface ClassroomOptions {
  /** the roster for a new class; a class folder that exists keeps its own (class.json) */
  trainees?: TraineeEntry[];
  /** the class's name (default: the folder's name) */
  name?: string;
  /** topology file every trainee lab is built from (default topology otherwise) */
  topology?: string;
  seed?: number;
  clock?: string;
  /** password of the instructor's `lab` SSH account; kept in the class folder (random when none) */
  labPassword?: string;
  exerciseDir?: string;
  pace?: 'fast' | 'realistic';
  /** called as trainee labs are created (eager creation at open) */
  progress?(done: number, total: number, name: string): void;
  /** labs built at once while the class opens (default 4) */
  concurrency?: number;
}

/** class.json: what a class folder keeps besides its labs and transcripts. */
export interface ClassFile {
  format: 1;
  name: string;
  createdAt: string;
  trainees: string[];
  topology?: unknown;
  seed?: number;
  clock?: string;
}
