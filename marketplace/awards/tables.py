"""Evaluations, pilot quality scores, provider quality rankings (with each commissioner's
weights and ranking reviews) and awards (the awarded care is the care domain's,
marketplace/care/tables.py, though this app migrates it)."""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from marketplace.accounts.tables import Organisation, User
from marketplace.tenders.tables import CallOff


class Evaluation(Table, tablename="evaluation"):
    """The latest evaluation of an opened call-off (recomputed as pilot scores arrive). Confirming
    an award re-computes the ranking: that keeps `evaluated_at` and records `reranked_at`."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, unique=True)
    evaluated_at = Timestamptz()
    reranked_at = Timestamptz(null=True, default=None)
    complete = Boolean(default=True)
    compliant_bids = Integer(default=0)


class Assessment(Table, tablename="assessment"):
    """One bid's assessment (one per bid and area for a pilot): its figures, rank, flags and the
    sentence saying why it won, lost or was excluded."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    bid_id = UUID(index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    provider_name = Varchar(length=200)
    area_code = Varchar(length=40, null=True, default=None)
    position = Integer()  # the order of the evaluation (ranked, excluded last)
    rank = Integer(null=True, default=None)
    compliant = Boolean()
    winner = Boolean(default=False)
    flags = Text(default="[]")
    exclusions = Text(default="[]")  # every failed gate, [{code, sentence}]
    figures = Text(default="{}")
    reason = Text()
    # The provider's quality ranking breakdown the evaluation used (JSON list of factors); null
    # for evaluations stored before it was kept here.
    quality = Text(null=True, default=None)
    # The provider quality score and breakdown the evaluation decided with, kept when the award
    # re-computes the ranking (`figures` and `quality` then hold the re-computed ones); null for
    # evaluations stored before they were kept.
    evaluated_quality_score = Varchar(length=16, null=True, default=None)
    evaluated_quality = Text(null=True, default=None)


class PilotScore(Table, tablename="pilot_score"):
    """One evaluator's quality scores (0-100 per question) for a pilot bid in one area."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    bid_id = UUID()
    area_code = Varchar(length=40)
    evaluator = UUID()
    scores = Text(default="{}")
    scored_at = Timestamptz()
    # Unique (bid_id, area_code, evaluator): index pilot_score_one_per_evaluator (raw migration).


class ProviderQuality(Table, tablename="provider_quality"):
    """A provider's quality ranking score with a commissioner, kept with its factor breakdown."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    score = Numeric(digits=(5, 2))
    factors = Text(default="[]")
    computed_at = Timestamptz()
    # Unique (commissioner, provider): index provider_quality_one_per_pair (raw migration).


class QualityWeights(Table, tablename="quality_weights"):
    """One version of a commissioner's quality ranking weights. Every change is a new row: the
    latest version is in force and the earlier ones are its history."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    weights = Text()  # {factor: weight}, every factor, adding up to 100
    note = Text(null=True, default=None)
    changed_by = ForeignKey(User, on_delete=OnDelete.restrict)
    changed_at = Timestamptz()
    # Unique (commissioner, version): index quality_weights_one_per_version (raw migration).


class RankingReview(Table, tablename="ranking_review"):
    """A commissioner's panel review of the provider quality ranking, which freezes a dated
    snapshot of it (its entries) with the weights then in force."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    reviewed_on = Date()
    members = Text(default="[]")  # the panel members' names and roles, as given
    note = Text(default="")
    weights = Text()
    weights_version = Integer()  # 0: the defaults
    recorded_by = ForeignKey(User, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()


class RankingReviewEntry(Table, tablename="ranking_review_entry"):
    """One provider's place in a review's frozen snapshot of the ranking."""

    id = UUID(primary_key=True)
    review = ForeignKey(RankingReview, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    provider_name = Varchar(length=200)
    rank = Integer()
    score = Numeric(digits=(5, 2))
    factors = Text(default="[]")


class Award(Table, tablename="award"):
    """A confirmed award: who confirmed it, whether it departs from the computed one and why,
    the standstill, the conclusion, and the archived award report."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, unique=True)
    confirmed_at = Timestamptz()
    confirmed_by = UUID()
    departed = Boolean(default=False)
    reason = Text(null=True, default=None)
    abnormally_low_checked = Boolean(default=False)
    computed = Text(default="[]")  # the computed winners [{bid_id, area_code}]
    notice_at = Timestamptz()
    # When the award notice went into the outbox (after every assessment summary was sent).
    notice_sent_at = Timestamptz(null=True, default=None)
    standstill_ends_at = Timestamptz(index=True)
    concluded_at = Timestamptz(null=True, default=None)
    # The conclusion is held while a winner fails a provider gate again (its CQC rating fell to
    # inadequate in the standstill, say); it goes ahead once the gates pass again.
    held_at = Timestamptz(null=True, default=None)
    held_reason = Text(null=True, default=None)
    report_document_id = UUID(null=True, default=None)
    report_sha256 = Varchar(length=64, null=True, default=None)


class AwardLine(Table, tablename="award_line"):
    """One winner of an award (one per area for a pilot) with its promised rate and date."""

    id = UUID(primary_key=True)
    award = ForeignKey(Award, on_delete=OnDelete.restrict, index=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    bid_id = UUID()
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    area_code = Varchar(length=40, null=True, default=None)
    hourly_rate_pence = Integer()
    mobilisation_date = Date(null=True, default=None)


class OutcomeRead(Table, tablename="outcome_read"):
    """A provider's user opened its outcome of a decided call-off: the outcome leaves that user's
    "Outcomes to read" queue on the home page (docs/design.md 9.1)."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict)
    read_at = Timestamptz()
    # Unique (user, call_off): index outcome_read_once_per_user (raw migration).
