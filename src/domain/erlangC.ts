// Erlang C (the M/M/N queue) and the async workload model the staffing report uses, as pure
// functions so the tests can check them against published worked examples.
//
//   A     traffic in erlangs = arrivals per interval × handle time / interval length
//   C     probability an arrival waits = Erlang C(N, A), from the Erlang B recursion
//         B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), C = N·B / (N − A·(1 − B))  (N > A; else 1)
//   SL    P(wait ≤ t) = 1 − C · e^{−(N − A)·t / AHT}
//   ASA   average wait = C · AHT / (N − A)
//   occ   A / N
// The recursion never forms A^N or N!, so it stays exact for hundreds of agents.

/** Erlang B: the share of arrivals blocked with N servers and A erlangs (a step of Erlang C). */
export function erlangB(agents: number, erlangs: number): number {
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (erlangs * b) / (k + erlangs * b);
  return b;
}

/** Erlang C: the probability an arrival has to wait; 1 when the agents cannot keep up (N ≤ A). */
export function probabilityOfWaiting(agents: number, erlangs: number): number {
  if (erlangs <= 0) return 0;
  if (agents <= erlangs) return 1;
  const b = erlangB(agents, erlangs);
  return (agents * b) / (agents - erlangs * (1 - b));
}

/** P(wait ≤ target): 1 − C·e^{−(N−A)·t/AHT}; 0 when N ≤ A (the queue grows without bound). */
export function serviceLevel(agents: number, erlangs: number, ahtSeconds: number, targetSeconds: number): number {
  if (erlangs <= 0) return 1;
  if (agents <= erlangs) return 0;
  return 1 - probabilityOfWaiting(agents, erlangs) * Math.exp((-(agents - erlangs) * targetSeconds) / ahtSeconds);
}

/** Average speed of answer in seconds: C·AHT/(N−A); Infinity when N ≤ A. */
export function averageSpeedOfAnswer(agents: number, erlangs: number, ahtSeconds: number): number {
  if (erlangs <= 0) return 0;
  if (agents <= erlangs) return Number.POSITIVE_INFINITY;
  return (probabilityOfWaiting(agents, erlangs) * ahtSeconds) / (agents - erlangs);
}

/** Traffic in erlangs: arrivals per interval × AHT / interval length (both in seconds). */
export const trafficIntensity = (arrivals: number, intervalSeconds: number, ahtSeconds: number) =>
  (arrivals * ahtSeconds) / intervalSeconds;

export interface ErlangCStaffing {
  /** Agents answering (before shrinkage): the smallest N meeting the service level and the occupancy cap. */
  agents: number;
  erlangs: number;
  serviceLevel: number;
  probabilityOfWaiting: number;
  occupancy: number;
  asaSeconds: number;
}

/**
 * The fewest agents for a service level (`serviceLevel` of arrivals answered within
 * `targetSeconds`) with occupancy A/N at most `occupancyCap`. No arrivals need no agents.
 */
export function agentsForServiceLevel(input: {
  arrivals: number;
  intervalSeconds: number;
  ahtSeconds: number;
  targetSeconds: number;
  serviceLevel: number;
  occupancyCap: number;
}): ErlangCStaffing {
  const erlangs = trafficIntensity(input.arrivals, input.intervalSeconds, input.ahtSeconds);
  if (erlangs <= 0) return { agents: 0, erlangs: 0, serviceLevel: 1, probabilityOfWaiting: 0, occupancy: 0, asaSeconds: 0 };
  // Occupancy alone asks for at least A / cap; below A the queue never clears. From there, B(N+1)
  // follows from B(N) in one step, so the search costs O(N) however many agents it tries.
  let agents = Math.max(Math.floor(erlangs) + 1, Math.ceil(erlangs / input.occupancyCap - 1e-9));
  let b = erlangB(agents, erlangs);
  const levelOf = (n: number, blocked: number) => {
    const waiting = (n * blocked) / (n - erlangs * (1 - blocked));
    return 1 - waiting * Math.exp((-(n - erlangs) * input.targetSeconds) / input.ahtSeconds);
  };
  while (levelOf(agents, b) < input.serviceLevel) {
    agents++;
    b = (erlangs * b) / (agents + erlangs * b);
  }
  return {
    agents,
    erlangs,
    serviceLevel: serviceLevel(agents, erlangs, input.ahtSeconds, input.targetSeconds),
    probabilityOfWaiting: probabilityOfWaiting(agents, erlangs),
    occupancy: erlangs / agents,
    asaSeconds: averageSpeedOfAnswer(agents, erlangs, input.ahtSeconds),
  };
}

/**
 * Agents to schedule for `answering` agents at work: answering / (1 − shrinkage), rounded up
 * (shrinkage is the share of paid time not spent answering: breaks, training, meetings). The
 * small tolerance keeps 7 / 0.7 at 10, not 11, despite floating point.
 */
export const scheduledAgents = (answering: number, shrinkage: number) =>
  answering <= 0 ? 0 : Math.ceil(answering / (1 - shrinkage) - 1e-9);

/**
 * The workload model for email and other async channels, where a reply within `targetMinutes`
 * (often hours) lets work wait: agents = ⌈workload hours per hour / occupancyCap / (1 − shrinkage)⌉.
 */
export const agentsForWorkload = (workloadHoursPerHour: number, occupancyCap: number, shrinkage: number) =>
  workloadHoursPerHour <= 0 ? 0 : Math.ceil(workloadHoursPerHour / occupancyCap / (1 - shrinkage) - 1e-9);
