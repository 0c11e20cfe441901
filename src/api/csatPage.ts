// The CSAT survey page: plain HTML that works without JavaScript (a form of five buttons), every
// value escaped, a strict content security policy. What the customer sees, so words, not codes.

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** No scripts, no outside requests; the form posts back to this same page only. */
export const csatPageHeaders = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

const labels = ['Very poor', 'Poor', 'OK', 'Good', 'Great'];

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1d2330}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}
.scores{display:flex;gap:.5rem;flex-wrap:wrap;margin:1rem 0}
.scores button{flex:1 1 4rem;padding:.8rem .4rem;font-size:1rem;border:1px solid #c5cad3;border-radius:8px;background:#fff;cursor:pointer}
.scores button:hover,.scores button:focus{background:#e8f0fe;border-color:#3b6fd8}
.scores small{display:block;font-size:.75rem;color:#5a6170}
textarea{width:100%;box-sizing:border-box;min-height:5rem;font:inherit;padding:.5rem;border:1px solid #c5cad3;border-radius:8px}
.error{color:#a61b1b}
</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

export function surveyForm(subject: string, error?: string): string {
  const buttons = labels
    .map((label, i) => `<button type="submit" name="score" value="${i + 1}">${i + 1}<small>${escapeHtml(label)}</small></button>`)
    .join('\n');
  return page(
    'How did we do?',
    `<h1>How did we do?</h1>
<p>Your request: <strong>${escapeHtml(subject)}</strong></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post">
<label for="comment">Anything you would like to add? (optional)</label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
<fieldset style="border:0;padding:0;margin:0"><legend>Choose a score to send it</legend>
<div class="scores">
${buttons}
</div></fieldset>
</form>`,
  );
}

export function surveyMessage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}
