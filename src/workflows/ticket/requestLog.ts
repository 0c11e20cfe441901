import { requestFingerprint, type RequestBinding } from '../../domain/requests';
import type { TicketState } from '../../domain/ticketState';

const IDS_CARRIED = 500;

/** What continue-as-new carries of the requests a ticket has seen. */
export interface CarriedIds {
  messages: string[];
  /** Update ids from before bindings were kept: they count as retries of anything. */
  updates: string[];
  requests?: RequestBinding[];
}

/**
 * The requests a ticket has applied, by id: Update ids bound to what they asked for, and the
 * customer message ids seen. A retry is answered with its first result; a reuse of an id for
 * something else is refused. Bounded, and carried through continue-as-new.
 */
export class RequestLog {
  private readonly bindings: Map<string, RequestBinding>;
  private readonly seenMessageIds: Set<string>;

  constructor(s: TicketState, carried?: CarriedIds) {
    this.seenMessageIds = new Set([...(carried?.messages ?? []), ...s.transcript.filter((m) => m.author === 'customer').map((m) => m.id)]);
    this.bindings = new Map<string, RequestBinding>([
      ...(carried?.updates ?? []).map((id): [string, RequestBinding] => [
        id,
        { id, kind: 'unknown', actor: 'unknown', fingerprint: '', at: 0 },
      ]),
      ...(carried?.requests ?? []).map((b): [string, RequestBinding] => [b.id, b]),
    ]);
  }

  get(id: string | undefined): RequestBinding | undefined {
    return id === undefined ? undefined : this.bindings.get(id);
  }

  bind(id: string, kind: string, actor: string, raw: unknown): RequestBinding {
    const binding = { id, kind, actor, fingerprint: requestFingerprint(kind, raw), at: Date.now() };
    this.bindings.set(id, binding);
    if (this.bindings.size > IDS_CARRIED) this.bindings.delete(this.bindings.keys().next().value!);
    return binding;
  }

  /** The earlier request a reuse of `id` collides with, when it asks for something else. */
  collision(id: string | undefined, kind: string, raw: unknown): RequestBinding | undefined {
    const known = this.get(id);
    if (!known || known.fingerprint === '' || known.fingerprint === requestFingerprint(kind, raw)) return undefined;
    return known;
  }

  /** True the first time a customer message id is seen. */
  firstSighting(messageId: string): boolean {
    if (this.seenMessageIds.has(messageId)) return false;
    this.seenMessageIds.add(messageId);
    return true;
  }

  carried(): CarriedIds {
    return { messages: [...this.seenMessageIds].slice(-IDS_CARRIED), updates: [], requests: [...this.bindings.values()] };
  }
}
