// The instructor's actions as plain HTML forms: they post to the server with the session's CSRF
// token and come back to the page they were sent from, so they work from the keyboard alone.
import type { FormEvent, ReactNode } from 'react';

interface FormProps {
  action: 'assign' | 'reset' | 'unlock' | 'message';
  csrf: string;
  back: string;
  label: string;
  children?: ReactNode;
  /** a trainee, or 'all' */
  who: string;
  /** asked before an action that throws work away */
  confirm?: string;
}

function ActionForm({ action, csrf, back, label, children, who, confirm }: FormProps) {
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    if (confirm && !window.confirm(confirm)) e.preventDefault();
  };
  return (
    <form method="post" action={`/action/${action}`} className="action" onSubmit={onSubmit}>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="back" value={back} />
      <input type="hidden" name="who" value={who} />
      {children}
      <button type="submit">{label}</button>
    </form>
  );
}

export function Actions({ csrf, who, exercises, back }: { csrf: string; who: string; exercises: string[]; back: string }) {
  const whom = who === 'all' ? 'every trainee' : who;
  const id = (s: string) => `${s}-${who}`;
  return (
    <section className="actions" aria-label={`Actions for ${whom}`}>
      <ActionForm action="assign" csrf={csrf} back={back} who={who} label={`Assign to ${whom}`} confirm={`Rebuild the lab of ${whom} for this exercise? Work in it is lost.`}>
        <label htmlFor={id('exercise')}>Exercise</label>
        <select id={id('exercise')} name="exercise" required>
          {exercises.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </ActionForm>
      <ActionForm action="message" csrf={csrf} back={back} who={who} label={`Send to ${whom}`}>
        <label htmlFor={id('text')}>Message</label>
        <input id={id('text')} name="text" type="text" maxLength={500} required />
      </ActionForm>
      <ActionForm action="reset" csrf={csrf} back={back} who={who} label={`Reset the lab of ${whom}`} confirm={`Reset the lab of ${whom}? Work in it is lost.`} />
      {who !== 'all' && <ActionForm action="unlock" csrf={csrf} back={back} who={who} label={`Unlock ${who}'s logins`} />}
    </section>
  );
}

export function SignOut({ csrf }: { csrf: string }) {
  return (
    <form method="post" action="/logout" className="signout">
      <input type="hidden" name="csrf" value={csrf} />
      <button type="submit">Sign out</button>
    </form>
  );
}
