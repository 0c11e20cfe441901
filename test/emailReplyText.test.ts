import { describe, expect, it } from 'vitest';
import { parseInboundEmail } from '../src/email/inbound';
import { withoutQuotedHtml } from '../src/email/quotedHtml';
import { visibleReply } from '../src/email/replyText';

describe('visibleReply: quote headers and signatures beyond the fixtures', () => {
  it.each([
    [
      'Spanish Gmail',
      'Perfecto, gracias.\n\nEl lun, 1 dic 2026 a las 10:04, Acme Support (<support@acme.example>) escribió:\n\n> Hola Pablo,\n> ya está.\n',
      'Perfecto, gracias.',
    ],
    [
      'German Gmail, attribution wrapped at the address',
      'Danke, das passt.\n\nAm Mo., 1. Dez. 2026 um 10:04 Uhr schrieb Acme Support <\nsupport@acme.example>:\n\n> Hallo,\n> erledigt.\n',
      'Danke, das passt.',
    ],
    [
      'English Gmail, attribution wrapped at the address',
      'Yes.\n\nOn Mon, Dec 1, 2026 at 10:04 AM Acme Support <\nsupport@acme.example> wrote:\n\n> Ok?\n',
      'Yes.',
    ],
    ['French Thunderbird', 'Parfait.\n\nLe 01/12/2026 à 10:04, Acme Support a écrit :\n> Bonjour,\n> c’est corrigé.\n', 'Parfait.'],
    [
      'GMX, "Gesendet:" above "Von:" and no quote marks',
      'Danke!\n\nGesendet: Montag, 01. Dezember 2026 um 10:04 Uhr\nVon: "Acme Support" <support@acme.example>\nAn: "Klaus Weber" <k.weber@gmx.example>\nBetreff: Re: Passwort\nHallo Klaus,\nerledigt.\n',
      'Danke!',
    ],
    [
      'Outlook desktop, a From line without an address',
      'Please go ahead.\n\nFrom: Acme Support\nSent: Monday, December 1, 2026 10:04 AM\nTo: Sam Lee\nSubject: Refund\n\nShall we refund it?\n',
      'Please go ahead.',
    ],
    [
      'French Outlook',
      'Oui, merci.\n\nDe : Acme Support <support@acme.example>\nEnvoyé : lundi 1 décembre 2026 10:04\nÀ : Marie Dubois <marie@exemple.example>\nObjet : Remboursement\n\nOn rembourse ?\n',
      'Oui, merci.',
    ],
    [
      '-----Original Message----- right under the text',
      'Approved.\n-----Original Message-----\nFrom: Acme Support [mailto:support@acme.example]\nSent: Monday\nTo: Sam\nSubject: Refund\n\nShall we?\n',
      'Approved.',
    ],
    [
      'Outlook for Android',
      'Sure.\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n________________________________\nFrom: Acme <support@acme.example>\nSent: Tuesday\nTo: me\nSubject: x\n\nold\n',
      'Sure.',
    ],
    ['a "-- " signature', 'Works now.\n\n-- \nJane\nPixel Ltd\n', 'Works now.'],
    ['"Sent from my iPhone"', 'Works now.\n\nSent from my iPhone\n', 'Works now.'],
    [
      'answers between the quoted questions',
      'On Mon, Dec 1, 2026 at 10:04 AM Acme Support <support@acme.example> wrote:\n> Which plan are you on?\nBusiness.\n> And how many seats?\nFive.\n',
      'Business.\nFive.',
    ],
    ['nothing but quotes', '> Hello\n> there\n', ''],
    [
      'a customer mentioning "From:" in a sentence',
      'From: the billing page, the button does nothing.\nThanks',
      'From: the billing page, the button does nothing.\nThanks',
    ],
  ])('%s', (_name, text, expected) => {
    expect(visibleReply(text)).toBe(expected);
  });
});

describe('visibleReply: long and hostile text', () => {
  it('passes lines longer than the parser handles around it, a long quoted line still hidden', () => {
    const own = `Log: ${'x'.repeat(3000)}`;
    const text = `${own}\n\nOn Mon, Dec 1, 2026 at 10:04 AM Acme <support@acme.example> wrote:\n> ${'y'.repeat(3000)}\n> Thanks`;
    expect(visibleReply(text)).toBe(own);
  });

  it('reads the first 32K characters, ended at a line break', () => {
    const line = 'The export fails again with the same error, every night since the update.\n';
    const visible = visibleReply(line.repeat(2000));
    expect(visible.length).toBeLessThanOrEqual(32 * 1024);
    expect(visible.length).toBeGreaterThan(32 * 1024 - line.length);
    expect(`${visible}\n`).toBe(line.repeat((visible.length + 1) / line.length));
  });

  // Each of these took minutes or hours before (patterns that backtrack over a line or rescan the
  // rest of the text); they stay linear now. The bound is loose: quadratic cost would blow it.
  it.each([
    ['2 MB of lines the Danish pattern rescans', () => visibleReply('abc. a\n'.repeat(300_000))],
    ['a 200 KB "On …" line without "wrote:"', () => visibleReply(`On ${'a '.repeat(100_000)}`)],
    ['200 KB of spaces before a word', () => visibleReply(`${' '.repeat(200_000)}x`)],
    ['2 MB of unclosed HTML comments', () => withoutQuotedHtml('<!--'.repeat(500_000))],
    ['2 MB of unclosed tags', () => withoutQuotedHtml('<a'.repeat(1_000_000))],
    ['2 MB of <hr without ">" before a quote marker', () => withoutQuotedHtml(`${'<hr'.repeat(700_000)}<div id="divRplyFwdMsg">`)],
  ])('%s', (_name, run) => {
    const started = performance.now();
    run();
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('withoutQuotedHtml: the markup clients wrap quoted history in', () => {
  it.each([
    [
      'Gmail quote with a nested blockquote',
      '<div>New</div><div class="gmail_quote"><blockquote class="gmail_quote"><div>a<blockquote>b</blockquote></div></blockquote></div><p>After</p>',
      '<div>New</div><p>After</p>',
    ],
    ['Apple blockquote type=cite, single quotes', "<p>New</p><blockquote type='cite'>Old</blockquote>", '<p>New</p>'],
    [
      'an unquoted blockquote stays',
      '<p>New</p><blockquote>Quoted by the customer</blockquote>',
      '<p>New</p><blockquote>Quoted by the customer</blockquote>',
    ],
    [
      'Outlook divRplyFwdMsg and the rule before it',
      '<div>New</div>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n<div id="divRplyFwdMsg" dir="ltr">From: x</div><div>Old</div>',
      '<div>New</div>\n',
    ],
    ['Outlook appendonsend', '<div>New</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">From</div>', '<div>New</div>'],
    ['a reply of a reply (x_ prefixed ids)', '<div>New</div><div id="x_divRplyFwdMsg">From</div><div>Old</div>', '<div>New</div>'],
    [
      'Outlook 2003 OutlookMessageHeader',
      '<div>New</div><div class=OutlookMessageHeader lang=en-us dir=ltr align=left><hr tabindex=-1>From: x</div><div>Old</div>',
      '<div>New</div>',
    ],
    ['a container never closed runs to the end', '<div>New</div><div class="gmail_quote">Old<div>older', '<div>New</div>'],
    ['a quote marker inside a comment is ignored', '<div>New</div><!-- <div id="divRplyFwdMsg"> -->', '<div>New</div>'],
    [
      'a ">" inside an attribute',
      '<div title="a > b">New</div><blockquote type="cite" data-x=">">Old</blockquote>',
      '<div title="a > b">New</div>',
    ],
  ])('%s', (_name, html, expected) => {
    expect(withoutQuotedHtml(html)).toBe(expected);
  });
});

describe('parseInboundEmail: HTML-only replies', () => {
  const htmlMail = (html: string) =>
    Buffer.from(`From: sam@contoso.example\r\nSubject: Re: Refund\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`, 'utf8');

  it('cuts the From/Sent/To/Subject block Outlook desktop writes without an id', async () => {
    const html = [
      '<div class="WordSection1"><p class="MsoNormal">Refund approved, thank you.<o:p></o:p></p>',
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">',
      '<p class="MsoNormal"><b>From:</b> Acme Support &lt;support@acme.example&gt;<br><b>Sent:</b> Monday, 1 December 2026 10:04<br>',
      '<b>To:</b> Sam Lee &lt;sam@contoso.example&gt;<br><b>Subject:</b> Refund</p></div>',
      '<p class="MsoNormal">Shall we refund the second charge?</p></div>',
    ].join('\n');
    const mail = await parseInboundEmail(htmlMail(html));
    expect(mail.text).toBe('Refund approved, thank you.');
    expect(mail.fullText).toContain('Shall we refund the second charge?');
  });

  it('keeps the new text of a Gmail reply whose quote is its only other content', async () => {
    const html =
      '<div dir="ltr">Yes please.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Dec 1, 2026 at 10:04 AM Acme &lt;support@acme.example&gt; wrote:<br></div><blockquote class="gmail_quote">Refund?</blockquote></div>';
    const mail = await parseInboundEmail(htmlMail(html));
    expect(mail.text).toBe('Yes please.');
  });
});

describe('parseInboundEmail: automatic mail', () => {
  const mail = (headers: string[], subject = 'Re: Refund', body = 'Body') =>
    parseInboundEmail(Buffer.from([`From: sam@contoso.example`, `Subject: ${subject}`, ...headers, '', body].join('\r\n')));

  it.each([
    ['Auto-Submitted: auto-replied (Gmail vacation responder)', ['Auto-Submitted: auto-replied'], true],
    ['Auto-Submitted: auto-generated (Exchange)', ['Auto-Submitted: auto-generated'], true],
    ['Auto-Submitted: no (a person wrote it)', ['Auto-Submitted: no'], false],
    ['X-Autoreply', ['X-Autoreply: yes'], true],
    ['X-Autorespond', ['X-Autorespond: Vacation'], true],
    ['Precedence: bulk', ['Precedence: bulk'], true],
    ['Precedence: auto_reply', ['Precedence: auto_reply'], true],
    ['Precedence: list (a support address behind a mailing list)', ['Precedence: list'], false],
    ['no marker at all', [], false],
  ])('%s → %s', async (_name, headers, automatic) => {
    expect((await mail(headers)).automatic).toBe(automatic);
  });

  it('takes a delivery report (bounce) for automatic', async () => {
    const report = await mail(
      ['MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
      'Undelivered Mail Returned to Sender',
      ['--r', 'Content-Type: text/plain', '', 'The mail could not be delivered.', '--r--', ''].join('\r\n'),
    );
    expect(report.automatic).toBe(true);
  });

  it.each([
    ['Out of Office: Re: Refund', true],
    ['Automatic reply: Re: Refund', true],
    ['AutoReply: Re: Refund', true],
    ['Out of office until 8 December', true],
    ['Abwesenheitsnotiz: Re: Refund', true],
    ['Réponse automatique : Re: Remboursement', true],
    ['Respuesta automática: Re: Reembolso', true],
    ['Out of office status does not sync', false],
    ['Auto-renewal charged me twice', false],
    ['Automatic replies to my customers stopped', false],
  ])('subject "%s" → %s', async (subject, automatic) => {
    expect((await mail([], subject)).automatic).toBe(automatic);
  });
});
