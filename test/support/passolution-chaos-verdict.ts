import type { PassolutionSimulator } from '@app/providers/testing';

/** One caller's request: when it was sent and answered, and what it got. */
export interface Served {
  sentAt: number;
  at: number;
  status: number;
  token?: string;
  error?: string;
}

/** What a chaos run recorded. */
export interface ChaosRecord {
  simulator: PassolutionSimulator;
  served: Served[];
  kills: Array<{ at: number; back: number }>;
  reauthorizations: number[];
}

export interface ChaosVerdict {
  report: ReturnType<PassolutionSimulator['report']>;
  /** The refresh token the broker holds at the end (outbox first, then the credential store). */
  held: string | undefined;
  reauthorizations: number[];
  /** Re-authorizations that no broker kill explains. */
  reauthorizationsWithoutAKill: number[];
  expired: Served[];
  failedWhileValid: Served[];
}

export function judge(run: ChaosRecord, held: string | undefined): ChaosVerdict {
  const { simulator, served } = run;
  const expired = served.filter((s) => s.status === 200 && !(simulator.tokens.expiryOf(s.token!)! > s.at));
  // a 5xx is a failure only if a token the callers had already been given still had life left
  const latestExpiryBefore = (at: number) =>
    Math.max(0, ...served.filter((s) => s.status === 200 && s.at < at).map((s) => simulator.tokens.expiryOf(s.token!) ?? 0));
  const failedWhileValid = served.filter((s) => s.status >= 500 && latestExpiryBefore(s.at) > s.at + 500);
  // the documented window: a holder died after the upstream took its token; the next holder presents it once more
  // (the claim's lease, a refresh and the operator's next look: a few seconds after the replicas are back)
  const reauthorizationsWithoutAKill = run.reauthorizations.filter(
    (at) => !run.kills.some((kill) => at >= kill.at && at <= kill.back + 5_000),
  );
  return {
    report: simulator.report(),
    held,
    reauthorizations: run.reauthorizations,
    reauthorizationsWithoutAKill,
    expired,
    failedWhileValid,
  };
}

export function describeVerdict(label: string, run: ChaosRecord, verdict: ChaosVerdict, extra: Record<string, unknown>): string {
  const { report, held, reauthorizations, reauthorizationsWithoutAKill, expired, failedWhileValid } = verdict;
  const summary = {
    refreshCycles: report.refreshes,
    spentTokenPresentations: report.reuses,
    reusesAfterSuccessorUsed: report.reusesAfterSuccessorUsed,
    overlappingUses: report.overlappingUses,
    kills: run.kills.length,
    reauthorizationsAfterAKill: reauthorizations.length - reauthorizationsWithoutAKill.length,
    reauthorizationsWithoutAKill: reauthorizationsWithoutAKill.length,
    callerRequests: run.served.length,
    expiredTokensServed: expired.length,
    fiveXxWhileValidTokenExisted: failedWhileValid.length,
    brokerHoldsCurrentRefreshToken: held === report.currentRefreshToken,
    ...extra,
  };
  return `\n${label}: ${JSON.stringify(summary, null, 2)}\n`;
}
