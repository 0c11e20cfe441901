import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageIdFor, replyAddressFor, ticketIdFromAddresses } from '../src/email/addresses';
import { messageIdsIn, normaliseMessageId } from '../src/email/messageIds';

const support = 'support@acme.example';

// RFC 5322 §3.6.4 msg-id: "<" dot-atom-text "@" dot-atom-text ">" (the no-fold-literal form aside).
const atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const dotAtom = `${atext}(?:\\.${atext})*`;
const msgId = new RegExp(`^<${dotAtom}@${dotAtom}>$`);

describe('replyAddressFor / ticketIdFromAddresses', () => {
  it.each(['tkt_1f3a9c2e5b7d4a60b8e1', 'idem_9ab04c1d2e3f405162738495', 'ext_5c6d7e8f90a1b2c3d4e5f607'])(
    'keeps %s readable and finds it again',
    (ticketId) => {
      const address = replyAddressFor(ticketId, support);
      expect(address).toBe(`support+${ticketId}@acme.example`);
      expect(ticketIdFromAddresses([address], support)).toBe(ticketId);
    },
  );

  it('encodes ids with other characters so they survive a local part and come back unchanged', () => {
    const address = replyAddressFor('Ticket 7/ü-x.y', support);
    expect(address).toBe('support+-54icket-207-2f-c3-bc-2dx-2ey@acme.example');
    expect(ticketIdFromAddresses([address], support)).toBe('Ticket 7/ü-x.y');
  });

  it('round-trips any id, even when a mail system changes the case of the address', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (ticketId) => {
        const address = replyAddressFor(ticketId, support);
        expect(address).toMatch(/^support\+[a-z0-9_-]+@acme\.example$/);
        expect(ticketIdFromAddresses([address.toUpperCase()], support)).toBe(ticketId);
      }),
    );
  });

  it('matches our local part and domain without regard to case, also in display-name form', () => {
    expect(ticketIdFromAddresses(['Acme Support <Support+TKT_1F3A@ACME.Example>'], support)).toBe('tkt_1f3a');
    expect(ticketIdFromAddresses(['support+tkt_1f3a@acme.example'], 'Support@Acme.EXAMPLE')).toBe('tkt_1f3a');
  });

  it('ignores foreign plus-addresses and takes the first of ours', () => {
    const addresses = [
      'jane+newsletter@pixel.example',
      'support+tkt_other@acme-mail.example',
      'sales+tkt_wrong@acme.example',
      'support@acme.example',
      'support+@acme.example',
      'not an address',
      'support+tkt_first@acme.example',
      'support+tkt_second@acme.example',
    ];
    expect(ticketIdFromAddresses(addresses, support)).toBe('tkt_first');
    expect(ticketIdFromAddresses(addresses.slice(0, 6), support)).toBeNull();
  });

  it('refuses tags no reply address carries: stray characters, bad escapes, a second spelling', () => {
    for (const tag of ['tkt.1', 'tkt+1', '-zz', '-6', '-61bc', '-ff'])
      expect(ticketIdFromAddresses([`support+${tag}@acme.example`], support), tag).toBeNull();
  });

  it('builds on a from-address that already has a plus tag', () => {
    const address = replyAddressFor('tkt_9', 'support+eu@acme.example');
    expect(address).toBe('support+eu+tkt_9@acme.example');
    expect(ticketIdFromAddresses([address], 'support+eu@acme.example')).toBe('tkt_9');
    expect(ticketIdFromAddresses([address], support)).toBe(null);
  });

  it('compares a Unicode domain with its punycode form', () => {
    expect(ticketIdFromAddresses(['support+tkt_1@bücher.example'], 'support@xn--bcher-kva.example')).toBe('tkt_1');
  });

  it('explains a from-address that is none, and an empty ticket id', () => {
    expect(() => replyAddressFor('tkt_1', 'support')).toThrow(/"support" is not an email address/);
    expect(() => ticketIdFromAddresses([], '@acme.example')).toThrow(TypeError);
    expect(() => replyAddressFor('', support)).toThrow(/ticket id/);
  });
});

describe('messageIdFor', () => {
  it('is the same for the same outbound id, so a resent mail is recognisable', () => {
    expect(messageIdFor('tkt_abc:out:7', support)).toBe(messageIdFor('tkt_abc:out:7', 'Support@ACME.example'));
    expect(messageIdFor('tkt_abc:out:7', support)).toBe('<tkt_abc.out.7.896bc0e679173150@acme.example>');
  });

  it('differs between outbound ids, also those that read alike', () => {
    const ids = ['tkt_abc:out:7', 'tkt_abc:out:8', 'tkt_abc/out/7', 'tkt_abc.out.7', 'tkt_abd:out:7'].map((id) =>
      messageIdFor(id, support),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is a valid RFC 5322 msg-id for any outbound id, on the domain of the from-address', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }), (outboundId) => {
        const id = messageIdFor(outboundId, 'support@bücher.example');
        expect(id).toMatch(msgId);
        expect(id.endsWith('@xn--bcher-kva.example>')).toBe(true);
        expect(id.length).toBeLessThan(120);
      }),
    );
  });

  it('reads back as itself', () => {
    const id = messageIdFor('tkt_abc:out:7', support);
    expect(normaliseMessageId(id)).toBe(id);
  });
});

describe('messageIdsIn', () => {
  it.each([
    ['<a@b>', ['<a@b>']],
    ['  <a@b>  <c@d>\t<e@f> ', ['<a@b>', '<c@d>', '<e@f>']],
    ['<a@b> (Sam’s message of Monday)', ['<a@b>']],
    ['<long-id-that-was\r\n folded@b>', ['<long-id-that-wasfolded@b>']],
    ['bare@id.example', ['<bare@id.example>']],
    ['Your message of Monday', []],
    ['', []],
  ])('%j → %j', (value, ids) => {
    expect(messageIdsIn(value)).toEqual(ids);
  });
});
