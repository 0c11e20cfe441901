import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseInboundEmail, type InboundEmail } from '../src/email/inbound';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/email/${name}.eml`, import.meta.url));

/** A message from header lines and a body, CRLF as on the wire. */
const message = (headers: string[], body: string): Buffer =>
  Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.replaceAll('\n', '\r\n')}`, 'utf8');

/** Everything the fixture should parse to, and sentences its full text keeps (the quoted history). */
interface Expected extends Omit<InboundEmail, 'fullText'> {
  fullTextKeeps: string[];
}

/** What most fixtures have none of. */
const none = () => ({ attachments: [], automatic: false, cc: [] });

const expectations: Record<string, Expected> = {
  'gmail-reply': {
    ...none(),
    messageId: '<CAH8yC8kQ2mXv4pJ7n0Zr+Tq3sLw9eFdGb1uYhN5oK6aRc2VxPg@mail.gmail.com>',
    inReplyTo: '<tkt_1f3a9c2e5b7d4a60b8e1.out.1.0f52aec965b0d9a6@acme.example>',
    references: ['<tkt_1f3a9c2e5b7d4a60b8e1.out.1.0f52aec965b0d9a6@acme.example>'],
    from: { address: 'jane.doe@pixel.example', name: 'Jane Doe' },
    // To, then Delivered-To.
    to: ['support+tkt_1f3a9c2e5b7d4a60b8e1@acme.example', 'support@acme.example'],
    cc: ['tom@pixel.example'],
    subject: 'Re: CSV export fails with a timeout',
    date: new Date('2026-12-01T10:20:31Z'),
    text: 'Thanks, the export works now that I split it by month.\n\nOne more question: can I schedule it to run every Monday at 6am?',
    fullTextKeeps: ['> The export times out above 50,000 rows.', 'Head of Operations, Pixel Ltd'],
  },
  'outlook-reply': {
    ...none(),
    // Folded onto its own line, as Exchange writes it.
    messageId: '<DB9PR08MB69213F2A7C1E4B5D9A0C8E1FB7A52@DB9PR08MB6921.eurprd08.prod.outlook.com>',
    inReplyTo: '<idem_9ab04c1d2e3f405162738495.out.1.99bd4c014f92a9da@acme.example>',
    references: ['<idem_9ab04c1d2e3f405162738495.out.1.99bd4c014f92a9da@acme.example>'],
    from: { address: 'sam.lee@contoso.example', name: 'Sam Lee' },
    to: ['support+idem_9ab04c1d2e3f405162738495@acme.example'],
    subject: 'RE: Invoice INV-2041 charged twice',
    date: new Date('2026-12-02T09:31:10Z'),
    text: 'Hi,\n\nYes, both charges are on my card statement from 28 November. Can you refund the second one?\n\nThanks\nSam',
    fullTextKeeps: ['Get Outlook for iOS', 'Sent: Monday, December 1, 2026 4:12:09 PM', 'Could you confirm both charges'],
  },
  'apple-reply': {
    ...none(),
    messageId: '<8E2D4C71-3B5A-4F09-9C6E-1A7B2D3E4F50@costa.example>',
    inReplyTo: '<ext_5c6d7e8f90a1b2c3d4e5f607.out.2.02a73902bebc022a@acme.example>',
    references: [
      '<ext_5c6d7e8f90a1b2c3d4e5f607.out.1.5d41c8a0e7b2f931@acme.example>',
      '<ext_5c6d7e8f90a1b2c3d4e5f607.out.2.02a73902bebc022a@acme.example>',
    ],
    from: { address: 'ana@costa.example', name: 'Ana Costa' },
    to: ['support+ext_5c6d7e8f90a1b2c3d4e5f607@acme.example'],
    subject: 'Re: Two-factor codes not arriving',
    date: new Date('2026-12-02T10:21:37Z'),
    text: 'That fixed it — the codes arrive within seconds now. Thank you!',
    // The byte-order mark iOS puts in front of the quoted text is gone.
    fullTextKeeps: ['Sent from my iPhone', '> On 2 Dec 2026, at 10:04, Acme Support', '> Hi Ana,'],
  },
  'html-only': {
    ...none(),
    messageId: '<5f0c2a8e-3b1d-4c7a-9e62-8d4b1a0f7c33@northwind.example>',
    inReplyTo: '<tkt_77aa0c1e2d3b4f5a6b7c.out.1.1e2d3c4b5a697887@acme.example>',
    references: ['<tkt_77aa0c1e2d3b4f5a6b7c.out.1.1e2d3c4b5a697887@acme.example>'],
    from: { address: 'lars@northwind.example', name: 'Lars Nilsen' },
    to: ['support+tkt_77aa0c1e2d3b4f5a6b7c@acme.example'],
    subject: 'Re: Webhook retries',
    date: new Date('2026-12-02T13:05:51Z'),
    // mailparser's HTML conversion wraps at 80 columns.
    text: 'Hi,\n\nthe retries stop after three attempts even though the docs say ten. Is that a\nper-plan limit?\n\nLars',
    fullTextKeeps: ['Lars Nilsen · Northwind Logistics', 'On 02.12.26 10:40, Acme Support wrote:', '> Webhooks are retried'],
  },
  attachments: {
    ...none(),
    messageId: '<CAH8yC8mT4rZ0nVq2Lp9Ws6Kx1Yd3Fb7Hj5Gc8Ne0Ua4Oi2Me9Q@mail.gmail.com>',
    inReplyTo: '<tkt_1f3a9c2e5b7d4a60b8e1.out.2.e13457ca16baa365@acme.example>',
    references: ['<tkt_1f3a9c2e5b7d4a60b8e1.out.2.e13457ca16baa365@acme.example>'],
    from: { address: 'jane.doe@pixel.example', name: 'Jane Doe' },
    to: ['support+tkt_1f3a9c2e5b7d4a60b8e1@acme.example', 'support@acme.example'],
    subject: 'Re: CSV export fails with a timeout',
    date: new Date('2026-12-02T07:47:02Z'),
    text: 'Here is the invoice and a screenshot of the error.',
    // Decoded sizes; the RFC 2231 file name decoded.
    attachments: [
      { filename: 'Rechnung März.pdf', contentType: 'application/pdf', size: 210 },
      { filename: 'Screenshot 2026-12-02 at 08.45.10.png', contentType: 'image/png', size: 70 },
    ],
    fullTextKeeps: [],
  },
  'french-reply': {
    ...none(),
    messageId: '<CAJx2mP5nQ8rT1vW4yZ7bC0dF3gH6jK9lN2pR5sU8wX1zA4cE7g@mail.gmail.com>',
    inReplyTo: '<tkt_0b2c4d6e8f1a3b5c7d9e.out.1.8c1d2e3f4a5b6c7d@acme.example>',
    references: ['<tkt_0b2c4d6e8f1a3b5c7d9e.out.1.8c1d2e3f4a5b6c7d@acme.example>'],
    from: { address: 'marie.dubois@exemple.example', name: 'Marie Dubois' },
    to: ['support+tkt_0b2c4d6e8f1a3b5c7d9e@acme.example', 'support@acme.example'],
    subject: 'Re: Réinitialisation du mot de passe',
    date: new Date('2026-12-01T13:32:08Z'),
    // "Cordialement," and the name below it are the signature.
    text: 'Bonjour,\n\nMerci pour votre réponse rapide. Le lien de réinitialisation a bien fonctionné, mais je ne reçois toujours pas les factures par e-mail.',
    fullTextKeeps: ['Cordialement,', 'a écrit :', '> Nous vous avons envoyé un nouveau lien'],
  },
  'german-reply': {
    ...none(),
    messageId: '<2c9e7f41-6a0b-4d3c-8e15-9f7a2b4c6d80@gmx.example>',
    inReplyTo: '<tkt_5e6f7a8b9c0d1e2f3a4b.out.1.6a7b8c9d0e1f2a3b@acme.example>',
    references: ['<tkt_5e6f7a8b9c0d1e2f3a4b.out.1.6a7b8c9d0e1f2a3b@acme.example>'],
    from: { address: 'k.weber@gmx.example', name: 'Klaus Weber' },
    // X-Original-To and Delivered-To repeat To, once each.
    to: ['support+tkt_5e6f7a8b9c0d1e2f3a4b@acme.example'],
    subject: 'Re: Passwort zurücksetzen',
    date: new Date('2026-12-02T08:12:44Z'),
    // format=flowed lines joined; a closing without a signature marker is the customer's own text.
    text: 'Hallo,\n\ndas Zurücksetzen des Passworts hat geklappt, danke! Können Sie bitte noch die alte E-Mail-Adresse aus meinem Konto entfernen?\n\nViele Grüße\nKlaus Weber',
    fullTextKeeps: [
      'Am 01.12.26 um 10:04 schrieb Acme Support:',
      '> wir haben Ihnen einen neuen Link zum Zurücksetzen geschickt. Er ist 24 Stunden gültig.',
    ],
  },
  'auto-reply': {
    ...none(),
    messageId: '<DB9PR08MB6921A1B2C3D4E5F60718293A4B5C6@DB9PR08MB6921.eurprd08.prod.outlook.com>',
    inReplyTo: '<idem_9ab04c1d2e3f405162738495.out.2.4b7e1d0c9a8f6e52@acme.example>',
    references: ['<idem_9ab04c1d2e3f405162738495.out.2.4b7e1d0c9a8f6e52@acme.example>'],
    from: { address: 'sam.lee@contoso.example', name: 'Sam Lee' },
    to: ['support+idem_9ab04c1d2e3f405162738495@acme.example'],
    subject: 'Automatic reply: Re: Invoice INV-2041 charged twice',
    date: new Date('2026-12-02T16:12:15Z'),
    text: 'I am out of the office until Monday 8 December with limited access to email. For billing questions please contact billing@contoso.example.',
    automatic: true,
    fullTextKeeps: [],
  },
  'first-mail-plus': {
    ...none(),
    messageId: '<4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d@app.fastmail.example>',
    inReplyTo: null,
    references: [],
    from: { address: 'nora@fastmail.example', name: 'Nora Quinn' },
    // Lower-cased, so X-Original-To's spelling in capitals is the same address.
    to: ['support+tkt_1f3a9c2e5b7d4a60b8e1@acme.example'],
    subject: 'Scheduled export question',
    date: new Date('2026-12-04T12:55:19Z'),
    text: 'Hello again,\n\nI saved your address from the last thread. The weekly export ran on Monday\nbut the file was empty. Can you check the job from 1 December?\n\nNora',
    fullTextKeeps: [],
  },
  'first-mail': {
    ...none(),
    messageId: '<5b0c3f2a9e8d7c6b5a4f3e2d1c0b9a8f@webmail.globex.example>',
    inReplyTo: null,
    references: [],
    from: { address: 'r.okafor@globex.example', name: 'Rita Okafor' },
    to: ['support@acme.example'],
    cc: ['priya.shah@globex.example', 'it-team@globex.example'],
    subject: 'Cannot add a second admin',
    date: new Date('2026-12-04T16:03:27Z'),
    text: 'Hi,\n\nwhen I invite Priya as a second admin, the invite page says "seat limit reached", but our plan has five seats and only two are used.\n\nCould you have a look?',
    fullTextKeeps: ['Rita Okafor\nIT Manager, Globex'],
  },
  emoji: {
    ...none(),
    messageId: '<CAF3vK9pZ1wQ7xT0yN4mR8sL2jH6bD5cG9eA3uV1oI7kE0nM2hW@mail.gmail.com>',
    inReplyTo: null,
    references: [],
    // Encoded words in the display name and the subject, a base64 body.
    from: { address: 'lea.martin@mail.example', name: 'Léa Martin' },
    to: ['support@acme.example'],
    subject: 'L’appli plante 😭',
    date: new Date('2026-12-03T20:14:09Z'),
    text: 'Bonjour 👋🏽\n\nDepuis la mise à jour, l’appli se ferme dès que j’ouvre « Famille » 👨‍👩‍👧 — même après réinstallation.\nTéléphone : Pixel 9, Android 16 🇫🇷\n\nMerci d’avance !\nLéa',
    fullTextKeeps: [],
  },
};

describe('parseInboundEmail: mail as the common clients send it', () => {
  it.each(Object.entries(expectations))('%s', async (name, expected) => {
    const { fullTextKeeps, ...fields } = expected;
    const mail = await parseInboundEmail(fixture(name));
    expect({ ...mail, fullText: undefined }).toEqual({ ...fields, fullText: undefined });
    expect(mail.fullText.startsWith(mail.text.slice(0, 20))).toBe(true);
    for (const kept of fullTextKeeps) expect(mail.fullText).toContain(kept);
  });

  // The same replies without their plain text part: the HTML path must find the same new words.
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  it.each(['gmail-reply', 'outlook-reply', 'apple-reply', 'french-reply'])('%s, HTML part alone', async (name) => {
    const html = (await simpleParser(fixture(name))).html;
    if (typeof html !== 'string') throw new Error(`${name} has no HTML part`);
    const htmlOnly = message(
      ['From: customer@example.com', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
      html,
    );
    const mail = await parseInboundEmail(htmlOnly);
    expect(squash(mail.text)).toBe(squash(expectations[name]?.text ?? ''));
    expect(mail.fullText.length).toBeGreaterThan(mail.text.length);
  });

  it('reads CRLF line ends and a leading mbox "From " line as the stored LF file', async () => {
    const lf = await parseInboundEmail(fixture('gmail-reply'));
    const crlf = Buffer.from(fixture('gmail-reply').toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
    expect(await parseInboundEmail(crlf)).toEqual(lf);
    const mbox = Buffer.concat([Buffer.from('From jane.doe@pixel.example Mon Dec  1 10:20:45 2026\n'), fixture('gmail-reply')]);
    expect(await parseInboundEmail(mbox)).toEqual(lf);
  });
});
