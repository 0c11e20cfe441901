import { phrases } from '../../domain/replies';

// The local provider's lexicons and the knowledge base are English. This glossary reads the
// support vocabulary of French, German and Spanish tickets (folded: lower case, no accents) as
// the English words those lexicons know, so "facture", "Rechnung" and "factura" all mean invoice.
// It translates the lexicon's own terms, language by language; anything else is left as it is.

const entries: [string, string[]][] = [
  ['invoice', ['facture(s)?', 'rechnung(en)?', 'factura(s)?']],
  ['charged', ['debite(e|s)?', 'belastet', 'abgebucht', 'cobr(aron|ado|ada|o)', 'cargado']],
  ['twice', ['zweimal', 'doppelt', 'dos veces']],
  ['duplicate', ['duplicado']],
  ['refund', ['ruckerstattung', 'erstatt(en|ung)', 'reembols(o|ar|en)']],
  ['subscription', ['abonnement', 'abo']],
  ['plan', ['forfait', 'tarif', 'plan']],
  ['payment', ['zahlung', 'pago']],
  ['payment method', ['moyen de paiement', 'zahlungsmethode', 'zahlungsart']],
  ['card', ['carte( bancaire)?', '(kredit)?karte', 'tarjeta']],
  ['declined', ['refusee?', 'abgelehnt', 'rechazad(a|o)']],
  ['cancel', ['annuler', 'resilier', 'kundigen', 'stornieren']],
  ['price', ['prix', 'preis', 'precio']],
  ['discount', ['remise', 'rabatt', 'descuento']],
  ['password', ['mot de passe', 'passwort', 'kennwort', 'contrasena']],
  ['reset', ['reinitialiser', 'reinitialisation', 'restablecer']],
  ['login', ['connexion', 'se connecter', 'anmelden', 'einloggen', 'iniciar sesion', 'inicio de sesion']],
  ['account', ['compte', 'konto', 'cuenta']],
  [
    'two-factor',
    ['double authentification', 'authentification a deux facteurs', 'zwei-faktor(-authentifizierung)?', 'autenticacion de dos factores'],
  ],
  ['invite', ['inviter', 'einladen', 'invitar']],
  ['teammate', ['collegue', 'kollege(n)?', 'kollegin', 'companero']],
  ['language', ['langue', 'sprache']],
  ['dashboard', ['tableau de bord', 'panel de control']],
  ['error', ['fehler', 'fehlermeldung']],
  ['outage', ['ausfall', 'caida']],
  ['down', ['hors service', 'en panne', 'nicht erreichbar', 'caido']],
  ['stuck', ['hangt', 'hangen', 'haengt', 'atascad(a|o)', 'bloquead(a|o)']],
  ['slow', ['lent(e)?', 'langsam', 'lent(a|o)']],
  ['does not work', ['ne (marche|fonctionne) pas', 'funktioniert nicht', 'geht nicht', 'no funciona']],
  ['expired', ['expire', 'caducad(a|o)', 'expirad(a|o)']],
  ['export', ['exporter', 'exportieren', 'exportar', 'exportacion']],
  ['import', ['importer', 'importation', 'importieren', 'importar']],
  ['delete', ['supprimer', 'loschen', 'eliminar', 'borrar']],
  ['data', ['donnees', 'daten']],
  ['missing', ['manquant(e|s)?', 'fehlen', 'fehlt']],
  ['records', ['enregistrements', 'datensatze']],
  ['security', ['securite', 'sicherheit', 'seguridad']],
  ['hacked', ['pirate', 'gehackt', 'hackead(a|o)']],
  ['suspicious login', ['connexion suspecte', 'inicio de sesion sospechoso']],
  ['suspicious', ['suspect(e)?', 'sospechos(a|o)']],
  ['everyone', ['tout le monde', 'alle nutzer', 'das ganze team', 'todo el mundo', 'todo el equipo']],
  ['users', ['utilisateurs', 'benutzer', 'usuarios']],
  ['cannot work', ['konnen nicht arbeiten', 'no podemos trabajar']],
  ['urgent', ['dringend', 'urgente']],
  // French infinitives follow "comment" ("comment annuler"); an English comment does not ask how.
  [
    'how do i',
    ['comment( puis-je| faire pour| je peux| on peut| [a-z]+(er|ir|re))', 'wie( kann ich| konnen wir| mache ich)?', 'como( puedo| hago)?'],
  ],
  ['where', ['ou (est|sont|puis-je)', 'wo (ist|finde|kann)', 'donde']],
  ['feature', ['fonctionnalite', 'funcion(alidad)?']],
  ['would be great', ['ce serait (bien|genial|super)', 'seria (genial|estupendo)']],
  ['report', ['rapport', 'bericht(e)?', 'informe']],
];

const table = entries.map(([english, foreign]) => ({ english, pattern: new RegExp(phrases(...foreign).source, 'gu') }));

/** Folded text with French, German and Spanish support words read as English. */
export function toEnglish(folded: string): string {
  let text = folded;
  for (const { english, pattern } of table) text = text.replace(pattern, english);
  return text;
}
