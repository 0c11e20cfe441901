import { phrases } from '../../domain/replies';

// The local provider's lexicons and the knowledge base are English. This glossary reads the
// support vocabulary of French, German, Spanish and Portuguese tickets (folded: lower case, no accents) as
// the English words those lexicons know, so "facture", "Rechnung" and "factura" all mean invoice.
// It translates the lexicon's own terms, language by language; anything else is left as it is.

const entries: [string, string[]][] = [
  ['invoice', ['facture(s)?', 'rechnung(en)?', 'factura(s)?', 'fatura(s)?', 'nota fiscal']],
  [
    'charged',
    [
      'debite(e|s)?',
      'belastet',
      'abgebucht',
      'cobr(aron|ado|ada|o)',
      'cargado',
      'factures',
      'facturee?s?',
      'cobrad(o|a|os|as)',
      'cobranca(s)?',
    ],
  ],
  ['twice', ['deux fois', 'zweimal', 'doppelt', 'dos veces', 'duas vezes']],
  ['duplicate', ['duplicado', 'doublon', 'duplicada']],
  ['refund', ['ruckerstattung', 'erstatt(en|ung)', 'reembols(o|ar|en)', 'rembourse(r|ment)', 'estorn(o|ar|em)', 'reembolso']],
  ['subscription', ['abonnement', 'abo', 'suscripcion', 'assinatura']],
  ['plan', ['forfait', 'tarif', 'plan']],
  ['payment', ['paiement', 'zahlung', 'pago', 'pagamento']],
  ['payment method', ['moyen de paiement', 'zahlungsmethode', 'zahlungsart']],
  ['card', ['carte( bancaire)?', '(kredit)?karte', 'tarjeta', 'cartao']],
  ['declined', ['refusee?', 'abgelehnt', 'rechazad(a|o)', 'recusad(o|a)']],
  ['cancel', ['annuler', 'resilier', 'kundigen', 'stornieren', 'cancelar']],
  ['price', ['prix', 'preis', 'precio', 'preco']],
  ['discount', ['remise', 'rabatt', 'descuento']],
  ['password', ['mot de passe', 'passwort', 'kennwort', 'contrasena', 'senha']],
  ['reset', ['reinitialiser', 'reinitialisation', 'zurucksetzen', 'restablecer', 'redefinir']],
  ['login', ['connexion', 'se connecter', 'anmelden', 'einloggen', 'iniciar sesion', 'inicio de sesion', 'anmeldung']],
  ['account', ['compte', 'konto', 'benutzerkonto', 'cuenta', 'conta']],
  [
    'two-factor',
    ['double authentification', 'authentification a deux facteurs', 'zwei-faktor(-authentifizierung)?', 'autenticacion de dos factores'],
  ],
  ['invite', ['inviter', 'einladen', 'invitar', 'convidar']],
  ['teammate', ['collegue', 'kollege(n)?', 'kollegin', 'companero', 'colega']],
  ['language', ['langue', 'sprache', 'idioma']],
  ['dashboard', ['tableau de bord', 'panel de control', 'painel']],
  ['error', ['fehler', 'fehlermeldung']],
  ['outage', ['panne', 'ausfall', 'caida', 'queda']],
  ['down', ['hors service', 'nicht erreichbar', 'caido', 'fora do ar']],
  ['stuck', ['hangt', 'hangen', 'haengt', 'atascad(a|o)', 'bloquead(a|o)', 'bloquee?', 'travad(o|a)']],
  ['slow', ['lent(e)?', 'langsam', 'lent(a|o)']],
  ['does not work', ['ne (marche|fonctionne) pas', 'funktioniert nicht', 'geht nicht', 'no funciona', 'nao funciona']],
  ['expired', ['expire', 'abgelaufen', 'caducad(a|o)', 'expirad(a|o)']],
  ['export', ['exporter', 'exportieren', 'exportar', 'exportacion', 'exportacao']],
  ['import', ['importer', 'importation', 'importieren', 'importar', 'importacion', 'importacao']],
  ['delete', ['supprimer', 'loschen', 'eliminar', 'borrar', 'excluir', 'apagar']],
  ['data', ['donnees', 'daten', 'datos', 'dados']],
  ['missing', ['manquant(e|s)?', 'fehlen', 'fehlt', 'faltan?', 'faltam?']],
  ['records', ['enregistrements', 'datensatze', 'registros']],
  ['security', ['securite', 'sicherheit', 'seguridad', 'seguranca']],
  ['hacked', ['pirate', 'gehackt', 'hackead(a|o)', 'invadid(a|o)']],
  ['suspicious login', ['connexion suspecte', 'verdachtige anmeldung', 'inicio de sesion sospechoso', 'login suspeito']],
  ['suspicious', ['suspect(e)?', 'verdachtig(e|en)?', 'sospechos(a|o)', 'suspeit(o|a)']],
  [
    'everyone',
    [
      'tout le monde',
      "toute l'equipe",
      'alle nutzer',
      '(das|unser) ganze(s)? team',
      'todo el mundo',
      'todo el equipo',
      'toda a (nossa )?equipe',
    ],
  ],
  ['users', ['utilisateurs', 'benutzer', 'nutzer', 'usuarios']],
  [
    'cannot work',
    ['(ne )?(pouvons|peut|peux) plus travailler', 'konnen nicht (mehr )?arbeiten', 'no podemos trabajar', 'nao conseguimos trabalhar'],
  ],
  ['urgent', ['dringend', 'sofort', 'urgente(ment)?', 'urgentemente']],
  // French infinitives follow "comment" ("comment annuler"); an English comment does not ask how.
  [
    'how do i',
    [
      'comment( puis-je| faire pour| je peux| on peut| [a-z]+(er|ir|re))',
      'wie( kann ich| konnen wir| mache ich)?',
      'como( puedo| hago| faco| posso)?',
    ],
  ],
  ['where', ['ou (est|sont|puis-je)', 'wo (ist|finde|kann)', 'donde', 'onde']],
  ['feature', ['fonctionnalite', 'funktion(swunsch)?', 'funcion(alidad)?', 'funcionalidade']],
  ['would be great', ['ce serait (bien|genial|super)', '(es )?ware (toll|schon|super|gut)', 'seria (genial|estupendo|otimo|bom)']],
  ['report', ['rapport', 'bericht(e)?', 'informe', 'relatorio']],
  // What the urgency and complexity rules read: time words, loss of access, who is hit.
  ['since this morning', ['depuis ce matin', 'seit heute morgen', 'desde esta manana', 'desde hoje de manha']],
  ['since yesterday', ['depuis hier', 'seit gestern', 'desde ayer', 'desde ontem']],
  ['today', ["aujourd'hui", 'heute', 'hoy', 'hoje']],
  ['tomorrow', ['demain', 'morgen', 'manana', 'amanha']],
  [
    'cannot',
    [
      '(je |nous )?(ne )?(peux|pouvons|arrive|arrivons) (pas|plus)',
      'kann nicht',
      'konnen nicht',
      'no (puedo|podemos)',
      'nao (consigo|conseguimos|posso)',
    ],
  ],
  ['nobody can', ['personne ne peut', "aucun (membre|utilisateur)[a-z' ]* n'arrive", 'niemand kann', 'nadie puede', 'ninguem consegue']],
  ['from another country', ["(depuis|d'un) (un )?autre pays", 'aus einem (anderen )?land', 'desde otro pais', 'de outro pais']],
  ['unknown device', ['appareil inconnu', 'unbekannt(en|es)? gerat', 'dispositivo desconocido', 'dispositivo desconhecido']],
  ['lock the account', ['sperren sie', 'bloquez', 'bloqueen', 'bloqueiem']],
  ['restore', ['recuperer', 'restaurer', 'wiederherstellen', 'recuperar(los|las)?']],
  ['quote', ['devis', 'angebot', 'cotizacion', 'orcamento']],
  ['trial', ["periode d'essai", 'testphase', 'prueba gratuita', 'periodo de teste']],
  // Issue 17, second pass: failure symptoms, intrusion, compliance and time words of the guide's
  // deciding questions (signals.ts), after the entries above have read "compte", "senha", "usuarios".
  ['charged', ['preleve(e|s|es)?']],
  ['error', ['erreur(s)?', 'erro(s)?']],
  ['completely blocked', ['completement bloque(e|s|es)?', 'totalmente (bloquead|parad)(o|a|os|as)', 'komplett blockiert']],
  ['keeps loading', ['fica carregando', 'sigue cargando', 'charge en boucle', 'ladt (immer weiter|endlos)']],
  ['does not load', ['nao carrega', 'no carga', 'ne (se )?charge pas', 'ladt nicht']],
  ['does not open', ['nao abre', 'no (se )?abre', "ne s'ouvre pas", 'offnet (sich )?nicht']],
  ['never arrive', ['nunca llegan', 'nunca chegam', "n'arrivent jamais", 'kommen nie an']],
  ['are not sent', ['no se envian', 'nao sao enviad(o|a)s', 'ne partent pas', 'werden nicht (versendet|gesendet)']],
  ['no longer appear', ["n'apparaissent plus", 'erscheinen nicht mehr', 'ya no aparecen', 'nao aparecem mais']],
  ['fails', ['bricht( [a-z]+){0,6} ab', 'falha', 'echoue']],
  ['data centres', ['rechenzentr(um|en)', 'centres? de donnees', 'centros? de datos', 'centros? de dados']],
  ['in the eu', ['in der eu', "dans l'ue", 'en la ue', 'na ue', 'na uniao europeia']],
  ['contract', ['vertrag(s|es)?', 'contrat', 'contrato']],
  ['by the end of the month', ['bis ende des monats', 'avant la fin du mois', 'antes de fin de mes', 'ate o fim do mes']],
  ['second time', ['zum zweiten mal', 'pour la deuxieme fois', 'por segunda vez', 'pela segunda vez']],
  ['any plans to', ['(tem|tiene(n)?|teneis) planes? de', 'tem planos de', 'est-ce prevu', 'planen sie']],
  ['increase', ['(a )?augmente', '(ist )?gestiegen', 'subio', 'subiu']],
  ['was changed', ['foi alterad(a|o)', 'a ete (modifie|change)e?', 'wurde geandert', 'fue cambiad(a|o)']],
  ['accessed our account', ['entrou na (nossa|minha) account', 'a accede a (notre|mon) account', 'entro en (nuestra|mi) account']],
  [
    'nobody here did this',
    ['ninguem da equipe fez isso', "personne chez nous n'a fait [a-z]+", 'niemand von uns hat das', 'nadie del equipo hizo esto'],
  ],
  ['deleted', ['apagou', 'a supprime', 'hat( [a-z]+){0,3} geloscht', 'borro', 'elimino']],
  ['several', ['varios', 'plusieurs', 'mehrere']],
  ['nobody can', ['aucun (membre|utilisateur)[^.]{0,60}?n.arrive']],
  ['the whole', ['(das|die|der) ganze(n)?']],
];

const table = entries.map(([english, foreign]) => ({ english, pattern: new RegExp(phrases(...foreign).source, 'gu') }));

/** Folded text with French, German, Spanish and Portuguese support words read as English. */
export function toEnglish(folded: string): string {
  let text = folded;
  for (const { english, pattern } of table) text = text.replace(pattern, english);
  return text;
}
