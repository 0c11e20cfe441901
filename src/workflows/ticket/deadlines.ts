import { unresolvedTimeoutTrigger } from '../../domain/escalation';
import { timersFor } from '../../domain/policy';
import { raiseForBreach, withOverride } from '../../domain/priority';
import type { Deadline } from '../../domain/ticketState';
import type { TicketRun } from './run';

/** What a ticket does when one of its timers fires (the soonest of `deadlines`). */
export async function deadlineReached(run: TicketRun, d: Deadline) {
  const { s, policy } = run;
  switch (d.kind) {
    case 'review_sla':
      s.sla.reviewBreached = true;
      s.priority = withOverride(raiseForBreach(s.priority!, policy.breachBoost, 'review SLA breached'), s.priorityOverride);
      return run.log.record('sla_breached', 'system', { sla: 'review', priority: s.priority.level });
    case 'first_human_response_sla':
      s.sla.firstHumanResponseBreached = true;
      if (s.priority)
        s.priority = withOverride(raiseForBreach(s.priority, policy.breachBoost, 'first human response SLA breached'), s.priorityOverride);
      return run.log.record('sla_breached', 'system', { sla: 'first_human_response', priority: s.priority?.level });
    case 'customer_reply_window':
      return run.conversation.resolve('no_reply', 'system');
    case 'unresolved_timeout':
      return run.escalate([unresolvedTimeoutTrigger(s.aiTurns)]);
    case 'csat_survey':
    case 'csat_reminder': {
      const at = await run.conversation.requestCsat(d.kind, timersFor(policy, s.priority?.level).csatWindow);
      if (d.kind === 'csat_survey') s.csat.surveySentAt = at;
      else s.csat.reminderSentAt = at;
      return run.log.record(`${d.kind}_sent`, 'system');
    }
    case 'csat_window_end':
      s.csat.windowClosed = true;
      return run.log.record('csat_window_closed', 'system', { answered: s.csat.score !== null });
    case 'reopen_window_end':
      s.resolution!.reopenWindowClosed = true;
      return run.log.record('reopen_window_closed', 'system');
  }
}
