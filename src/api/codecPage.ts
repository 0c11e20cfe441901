import { escapeHtml } from './csatPage';

// The codec server's sign-in page: plain HTML, no script, a strict content security policy. A
// lead or admin pastes an API key once; Temporal Web's codec calls then carry the session cookie.

export const codecPageHeaders = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

export function codecPage(options: { message?: string; error?: string; signedInAs?: string; until?: Date; endpoint: string }): string {
  const status = options.signedInAs
    ? `<p>Signed in as <b>${escapeHtml(options.signedInAs)}</b> until ${escapeHtml(options.until?.toISOString() ?? '')}.</p>
<form method="post"><input type="hidden" name="signOut" value="1"><button>Sign out</button></form>`
    : `<form method="post">
<label for="key">Lead or admin API key</label>
<input id="key" name="key" type="password" autocomplete="off" required>
<button>Sign in</button>
</form>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tandem codec server</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1d2330}
main{max-width:36rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px #0002}
input{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin:.3rem 0 1rem;border:1px solid #c5cad3;border-radius:8px}
code{background:#eef0f3;padding:0 .2rem}.error{color:#a61b1b}
</style>
</head>
<body><main>
<h1>Read Tandem's payloads in Temporal Web</h1>
${options.error ? `<p class="error">${escapeHtml(options.error)}</p>` : ''}${options.message ? `<p>${escapeHtml(options.message)}</p>` : ''}
${status}
<p>Then, in Temporal Web's codec server settings, use <code>${escapeHtml(options.endpoint)}</code> and turn on
<b>Include cross-origin credentials</b>. The Temporal CLI needs no sign-in:
<code>--codec-endpoint ${escapeHtml(options.endpoint)} --codec-auth "Bearer &lt;key&gt;"</code>.</p>
</main></body>
</html>
`;
}
