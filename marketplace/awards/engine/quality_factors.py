"""The ten factors of the provider quality ranking (docs/design.md 4.8), pure.

Each factor scores 0 to 100 from what the marketplace recorded about one provider with one
commissioner, exactly as a Fraction. A factor with no records scores its stated neutral value
(`NEUTRAL`) and says "no records yet": it never invents a count. Each function returns
(score, words, recorded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from marketplace.awards.engine.phrases import counted

WINDOW = "in the last 6 months"
CQC_RATING_SCORES: Mapping[str, int] = {
    "outstanding": 100,
    "good": 75,
    "not_yet_rated": 50,
    "requires_improvement": 25,
    "inadequate": 0,
}
# What a factor scores when there is nothing recorded to go on. Measures (a rating, a rate of
# response, visit and tender scores) sit midway; the factors that only count against a provider
# (hand-backs, late starts, turn-downs, safeguarding, complaints) hold nothing against it; the
# neutral value of a count-based factor is its value at zero events.
NEUTRAL: Mapping[str, Fraction] = {
    "cqc_rating": Fraction(50),
    "response_rate": Fraction(50),
    "hand_backs": Fraction(100),
    "late_starts": Fraction(100),
    "quality_monitoring": Fraction(50),
    "tender_score": Fraction(50),
    "turn_downs": Fraction(100),
    "safeguarding": Fraction(100),
    "complaints": Fraction(100),
    "compliments": Fraction(50),
}
SAFEGUARDING_PENALTY = 50  # points per substantiated safeguarding concern
COMPLAINT_PENALTY = 20  # points per upheld complaint
COMPLIMENT_POINTS = 10  # points per compliment above the neutral 50

Found = tuple[Fraction, str, bool]


def _count(value: int | None, what: str) -> int:
    if value is not None and value < 0:
        raise ValueError(f"a count of {what} cannot be negative")
    return value or 0


def _none_yet(factor: str, why: str) -> Found:
    return NEUTRAL[factor], f"no records yet ({why}), neutral value", False


def cqc_rating_factor(rating: str | None) -> Found:
    """CQC rating: outstanding 100, good 75, not yet rated 50, requires improvement 25,
    inadequate 0 (an inadequate provider fails the gates anyway); no rating on record: 50."""
    if rating is None:
        return _none_yet("cqc_rating", "no CQC rating")
    if rating not in CQC_RATING_SCORES:
        raise ValueError(f"unknown CQC rating {rating!r}")
    return Fraction(CQC_RATING_SCORES[rating]), f"CQC rating {rating.replace('_', ' ')}", True


def response_rate_factor(invitations: int, responses: int) -> Found:
    """Response rate: 100 * invitations answered (a bid or a decline) / invitations whose
    deadline passed in the window, at most 100; no such invitation: 50."""
    invitations, responses = _count(invitations, "invitations"), _count(responses, "responses")
    if invitations == 0:
        return _none_yet("response_rate", f"no invitation closed {WINDOW}")
    value = min(Fraction(100 * responses, invitations), Fraction(100))
    words = f"answered {responses} of {counted(invitations, 'invitation')} {WINDOW}"
    return value, words, True


def _share_spared(events: int, out_of: int) -> Fraction:
    """100 * (1 - events / out_of), with out_of never below events."""
    return 100 * (1 - Fraction(events, max(out_of, events)))


def hand_backs_factor(hand_backs: int | None, care_awarded: int | None) -> Found:
    """Hand-backs: 100 * (1 - packages handed back / packages of care awarded) in the window
    (out of at least the hand-backs); no awarded care or hand-back on record: 100."""
    events, out_of = _count(hand_backs, "hand-backs"), _count(care_awarded, "awarded care")
    if hand_backs is None or max(events, out_of) == 0:
        return _none_yet("hand_backs", f"no awarded care recorded {WINDOW}")
    words = f"{events} of {counted(max(out_of, events), 'package')} handed back {WINDOW}"
    return _share_spared(events, out_of), words, True


def late_starts_factor(late_starts: int | None, care_started: int | None) -> Found:
    """Late starts: 100 * (1 - starts later than the promised mobilisation date / starts) in
    the window (out of at least the late ones); no start on record: 100."""
    events, out_of = _count(late_starts, "late starts"), _count(care_started, "starts")
    if late_starts is None or max(events, out_of) == 0:
        return _none_yet("late_starts", f"no start of care recorded {WINDOW}")
    words = f"{events} of {counted(max(out_of, events), 'start')} later than promised {WINDOW}"
    return _share_spared(events, out_of), words, True


def quality_monitoring_factor(visit_scores: Sequence[int]) -> Found:
    """Quality monitoring: the mean score (0 to 100) of the commissioner's monitoring visits
    in the window; no visit: 50."""
    if any(not 0 <= score <= 100 for score in visit_scores):
        raise ValueError("a quality-monitoring score is between 0 and 100")
    if not visit_scores:
        return _none_yet("quality_monitoring", f"no quality-monitoring visit {WINDOW}")
    mean = Fraction(sum(visit_scores), len(visit_scores))
    if len(visit_scores) == 1:
        return mean, f"1 quality-monitoring visit {WINDOW} scored {visit_scores[0]}", True
    return mean, f"mean score of {len(visit_scores)} quality-monitoring visits {WINDOW}", True


def tender_score_factor(tender_score: int | None) -> Found:
    """Tender score: the tender evaluation score (0 to 100) the commissioner recorded when
    admitting the provider (the latest admission that has one); none recorded: 50."""
    if tender_score is None:
        return _none_yet("tender_score", "no tender evaluation score recorded")
    if not 0 <= tender_score <= 100:
        raise ValueError("a tender evaluation score is between 0 and 100")
    return Fraction(tender_score), f"tender evaluation score {tender_score}", True


def turn_downs_factor(declines: int, invitations: int) -> Found:
    """Turn-downs: 100 * (1 - invitations declined / invitations whose deadline passed) in the
    window; no such invitation: 100."""
    declines, invitations = _count(declines, "declines"), _count(invitations, "invitations")
    if max(declines, invitations) == 0:
        return _none_yet("turn_downs", f"no invitation closed {WINDOW}")
    out_of = max(invitations, declines)
    words = f"declined {declines} of {counted(out_of, 'invitation')} {WINDOW}"
    return _share_spared(declines, invitations), words, True


def _penalised(factor: str, events: int, penalty: int, noun: str) -> Found:
    if _count(events, noun) == 0:
        return _none_yet(factor, f"no {noun} recorded {WINDOW}")
    value = Fraction(max(0, 100 - penalty * events))
    return value, f"{counted(events, noun)} {WINDOW}", True


def safeguarding_factor(concerns: int) -> Found:
    """Safeguarding: 100 - 50 per substantiated safeguarding concern in the window, not below
    0; none recorded: 100."""
    return _penalised(
        "safeguarding", concerns, SAFEGUARDING_PENALTY, "substantiated safeguarding concern"
    )


def complaints_factor(complaints: int) -> Found:
    """Complaints: 100 - 20 per upheld complaint in the window, not below 0; none recorded:
    100."""
    return _penalised("complaints", complaints, COMPLAINT_PENALTY, "upheld complaint")


def compliments_factor(compliments: int) -> Found:
    """Compliments: 50 + 10 per compliment in the window, at most 100; none recorded: 50."""
    if _count(compliments, "compliments") == 0:
        return _none_yet("compliments", f"no compliment recorded {WINDOW}")
    value = min(Fraction(100), NEUTRAL["compliments"] + COMPLIMENT_POINTS * compliments)
    return value, f"{counted(compliments, 'compliment')} {WINDOW}", True
