import { describe, expect, it } from 'vitest';
import { assessReplyText } from '../src/ai/local/replies';
import type { ReplyVerdict } from '../src/domain/vocabulary';

// The local provider's reading of customer replies, language by language. These phrasings are
// not in eval/conversations.jsonl: they check that the cues generalise beyond it.
const table: Record<'en' | 'fr' | 'de' | 'es', [string, ReplyVerdict][]> = {
  en: [
    ['Found it, thank you!', 'resolved'],
    ['thanks, that worked', 'resolved'],
    ['All good now', 'resolved'],
    ['Cheers, that did the trick', 'resolved'],
    ['Great, the invoice is there now. Thanks!', 'resolved'],
    ['The refund part is clear, but the export still fails', 'partially_resolved'],
    ['Found the setting, but where do I change the date format?', 'partially_resolved'],
    ['Thanks! Unrelated question: do you have an Android app?', 'new_question'],
    ['Nope, same error as before', 'unresolved'],
    ['Thanks for the reply, but it is still not working', 'unresolved'],
    ["I'd rather talk to a human", 'wants_human'],
    ['Can someone please call me?', 'wants_human'],
    ['Which page is that on?', 'unclear'],
    ["Ok thanks, I'll test it on Monday", 'unclear'],
  ],
  fr: [
    ["Merci, c'est réglé", 'resolved'],
    ['Ça marche, merci beaucoup !', 'resolved'],
    ["Merci pour la facture, mais l'export ne fonctionne toujours pas", 'partially_resolved'],
    ['Merci ! Une autre question : puis-je changer la langue ?', 'new_question'],
    ['Toujours rien, ça ne marche pas', 'unresolved'],
    ['Je voudrais parler à un conseiller', 'wants_human'],
  ],
  de: [
    ['Danke, alles erledigt', 'resolved'],
    ['Perfekt, hat geklappt!', 'resolved'],
    ['Danke für die Rechnung, aber die Karte geht immer noch nicht', 'partially_resolved'],
    ['Danke! Noch eine Frage: gibt es eine App?', 'new_question'],
    ['Danke für die Antwort, funktioniert aber nicht', 'unresolved'],
    ['Kann ich bitte mit einem Mitarbeiter sprechen?', 'wants_human'],
  ],
  es: [
    ['¡Gracias, ya funciona!', 'resolved'],
    ['Listo, todo bien', 'resolved'],
    ['Gracias por la factura, pero el pago sigue rechazado', 'partially_resolved'],
    ['Gracias. Otra pregunta: ¿hay una app?', 'new_question'],
    ['Gracias por la respuesta, pero sigue igual', 'unresolved'],
    ['Quiero hablar con una persona', 'wants_human'],
  ],
};

describe('local reply assessment', () => {
  for (const [language, rows] of Object.entries(table)) {
    it.each(rows)(`${language}: "%s" is %s`, (reply, verdict) => {
      expect(assessReplyText(reply).verdict).toBe(verdict);
    });
  }

  it.each([
    'Thank you!',
    'Thanks for your help so far',
    'Thanks, I will check with my admin',
    'Merci beaucoup',
    'Vielen Dank',
    'Muchas gracias por la ayuda',
    'thx 🙏',
    'Thanks a lot, much appreciated',
  ])('gratitude is never unresolved: "%s"', (reply) => {
    expect(assessReplyText(reply).verdict).not.toBe('unresolved');
  });

  it('reads sarcasm and anger in any language as frustration', () => {
    expect(assessReplyText('Oh great, another article. Really helpful. Still broken.').sentiment).toBe('frustrated');
    expect(assessReplyText("C'est inadmissible ! Toujours en panne !!").sentiment).toBe('frustrated');
    expect(assessReplyText('Das ist eine Frechheit!! Geht immer noch nicht').sentiment).toBe('frustrated');
    expect(assessReplyText('¡Es inaceptable! Sigue sin funcionar!!').sentiment).toBe('frustrated');
    expect(assessReplyText('That was really helpful, thanks!').sentiment).not.toBe('frustrated');
  });
});
