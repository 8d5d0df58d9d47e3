// The two HTML documents the server writes itself: the sign-in form (no script) and the shell the
// page's bundle renders into. Neither carries trainee text: the bundle gets the class over the event
// stream and React escapes it; the boot data is JSON with '<' escaped, so it cannot close its tag.
import type { BootData } from './protocol.js';

/** Content-Security-Policy of every page: nothing but the process's own assets. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const head = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/app.css">
</head>`;

/** The sign-in page; `problem` is one of the server's own fixed sentences. */
export function loginPage(className: string, problem?: string): string {
  return `${head('Sign in - class dashboard')}
<body class="login">
<main>
<h1>Class dashboard</h1>
<p>${escapeHtml(className)}: sign in with the lab password (the password of the <code>lab</code> SSH account).</p>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/login">
<label for="password">Lab password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

/** The page the bundle renders: overview or a trainee's detail. */
export function shellPage(boot: BootData): string {
  const json = JSON.stringify(boot).replace(/</g, '\\u003c');
  return `${head(boot.trainee === undefined ? 'Class dashboard' : `${escapeHtml(boot.trainee)} - class dashboard`)}
<body>
<div id="root"><p>Loading the class...</p></div>
<script type="application/json" id="boot">${json}</script>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
