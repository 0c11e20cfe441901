import { describe, expect, it } from 'vitest';
import { classifyText } from '../src/ai/local/triage';

// The local triage's rules, each on a ticket of its own (none of these is in an eval split).
describe('local triage', () => {
  it.each([
    ['a question about how to do something', 'Where do I change the date format of reports?', 'how_to'],
    ['money, however it is asked', 'How do I get a copy of last month’s invoice?', 'billing'],
    ['account administration', 'How can I change the email address of our workspace owner?', 'account'],
    ['a defect whatever its topic', 'The login page shows an error every time since your last update.', 'technical'],
    ['a wish', 'It would be great to have a calendar view for tasks.', 'feature_request'],
    ['an attack', 'We received a phishing email that looks like yours.', 'security'],
    ['French support words', 'Bonjour, notre facture est fausse, pouvez-vous la corriger ?', 'billing'],
    ['German support words', 'Wie kann ich mein Passwort ändern?', 'how_to'],
    ['Spanish support words', 'Necesito un reembolso del último cargo.', 'billing'],
  ])('reads %s', (_rule, body, issueType) => {
    expect(classifyText('Question', body).issueType).toBe(issueType);
  });

  it('takes the first issue, unless a later one is a security matter or an outage', () => {
    const refundThenHowTo = classifyText('Two things', 'Please refund the duplicate charge.\n\nAlso, how do I add a teammate?');
    expect(refundThenHowTo).toMatchObject({ issueType: 'billing', complexity: 'medium', repeatability: 'semi' });
    const questionThenIncident = classifyText(
      'Two things',
      'How do I add a teammate?\n\nAlso, someone logged into our account from another country.',
    );
    expect(questionThenIncident).toMatchObject({ issueType: 'security', urgency: 'critical' });
  });

  it('grades an outage for the whole team as critical, high and unique', () => {
    expect(classifyText('Down', 'The app returns 503 for everyone in our company since this morning.')).toMatchObject({
      issueType: 'technical',
      complexity: 'high',
      repeatability: 'unique',
      urgency: 'critical',
    });
  });

  it('leaves a request for a person out of the topic but reports it', () => {
    const c = classifyText('Invoice', 'I need our invoice with the VAT number on it. Can I speak to a real person?');
    expect(c).toMatchObject({ issueType: 'billing', requestsHuman: true });
  });

  it('takes the page’s product area as a hint', () => {
    expect(classifyText('Help', 'Nothing happens when I press the button.', { productArea: 'billing' }).issueType).toBe('billing');
  });
});
