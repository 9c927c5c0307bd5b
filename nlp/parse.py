"""The parser: a message's text (and whether a photo or pin came with it) to a ParseResult.

Pure: no chat platform, no database. The learned heads decide report/category/level; rules
decide urgency, places and personal data (see the modules named for them).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from nlp import segment
from nlp.features import WORD_MARK, features, latin_words, prepare
from nlp.greeting import asks_who_is_there
from nlp.hazard import hazard_of
from nlp.level import level_prior, suggest_level
from nlp.model import MODEL_FILE, LinearModels, Scored
from nlp.normalize import junk_ratio, normalize
from nlp.pii import PiiSpan, find_pii_normalised
from nlp.places import find_location
from nlp.urgency import detect_urgency, figures_of_speech

__all__ = ["ParseResult", "Parser", "PiiSpan", "get_parser"]

# A photo or a location pin makes a report likelier: residents attach them to problems.
_PHOTO_LOGIT = 1.0
_LOCATION_LOGIT = 0.7
# Chosen by 3-fold cross-validation on the corpus train split (rules OR head, the head refitted on
# two folds with the real train bucket; urgent head C 30 with the danger groups; parts A–K, K for
# the urgency head only): 0.6 → recall 0.939 / precision 0.791, 0.65 → 0.938 / 0.807, 0.7 →
# 0.931 / 0.820, 0.8 → 0.922 / 0.838. A missed danger costs more than a phone call, so the lowest
# that keeps precision at 0.8. (The rules were written on parts A–J of the train split, so CV
# recall there flatters them.) Checked again with parts L and M and the wider danger groups
# (5-fold CV on the train split: 0.5 → 0.967 / 0.765, 0.65 → 0.962 / 0.796; danger sets 1 and 2
# as development data: 0.5 → 0.969 / 0.840 and 0.980 / 0.907, 0.65 → 0.954 / 0.855 and 0.960 /
# 0.923): 0.5 and 0.55 let the head open cases for 1.0–1.2% of real chat in the dev bucket, 0.65
# for at most 0.6%, so it stays. Hearing the head when the report head doubts (p < 0.5) gained
# under a point of recall and opened cases for short chat (还有人吗, 一个人去丽江): not done.
# Fifth session, with parts N and O and part K on every head (5-fold CV on the train split, urgent
# recall / precision: 0.65 → 0.925 / 0.825, 0.5 → 0.937 / 0.798, 0.4 → 0.943 / 0.775, 0.3 →
# 0.949 / 0.748; danger set 3, written blind and no longer blind, as development data: 0.65 →
# 0.903 / 0.936, 0.4 → 0.945 / 0.919; sets 1 and 2 at 0.4: 0.977 / 0.825, 0.980 / 0.916). Real
# chat in the dev bucket opened cases for at most 0.7% of messages at every threshold from 0.3 to
# 0.75, because the head is heard only for messages the report head already takes. The corpus CV
# is crowded with deliberate near misses (drills, handled, false alarms); on the danger sets, whose
# mix is nearer a group's, precision stays above 0.9 at 0.4, but the issue asks for 0.8 on
# everyday traffic too, which the CV says 0.4 misses. The lowest threshold whose CV precision
# holds about 0.8: 0.5 (danger set 3 then 0.924 / 0.931).
_URGENT_MODEL_THRESHOLD = 0.45
# Sixth session, with parts Q (people at risk in 19 voices) and R (short complaints): 5-fold CV on
# the train split gave 0.5 → recall 0.938 / precision 0.808 and 0.4 → 0.948 / 0.783. With part S
# (danger told only by the scene) and the doubted-message rule below (at 0.6): 0.5 → 0.945 / 0.813,
# 0.45 → 0.949 / 0.803, 0.4 → 0.955 / 0.795 — 0.45 is the lowest that keeps precision at 0.8 (danger
# sets 1–3 as development data: 0.992 / 0.827, 0.970 / 0.915, 0.945 / 0.919).
# Three or four characters (一个人, 有火无边) are too little for the head to call danger on its own
# (the rules still catch 着火了): below 5 characters it is not heard; this cost no urgent
# message in the CV and kept 一个人 (real chat, dev bucket) from opening an urgent case.
_URGENT_MODEL_MIN_CHARS = 5
# A farewell (谢谢大家这几年的照顾 …) or a missing grandfather in Hokkien reads like chat to the
# report head (P(report) 0.1–0.4) while the urgency head leans to danger. When the report head
# doubts, the urgency head is heard at P ≥ 0.6 for a message of at least 8 characters. 5-fold CV
# on the train split (with the farewell group of nlp/danger_lexicon.py, before part S): not heard →
# recall 0.937 / precision 0.808; 0.85 → 0.942 / 0.807; 0.7 → 0.944 / 0.804; 0.6 → 0.944 / 0.801;
# with part S, at 0.5 for the report head's messages: not heard → 0.937 / 0.819, 0.7 → 0.943 /
# 0.815, 0.6 → 0.945 / 0.813. Real chat in the dev bucket called urgent stays ≤ 0.7% per source at
# each (救命, 还有人呢！ and 中！！！ are shorter than 8 characters and stay chat).
_SURE_DANGER_THRESHOLD = 0.6
_SURE_DANGER_MIN_CHARS = 8
_HAS_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_EVIDENCE_SKIP = re.compile(r"[0\x03]|^\W+$")  # folded digits, lexicon groups, punctuation


class ParseResult(BaseModel):
    """What the parser decided about one message."""

    is_report: bool
    category: str | None = None
    level: int | None = None
    urgent: bool = False
    # For an urgent report, the kind of danger (nlp.hazard.HAZARDS): what the group is told to do.
    hazard: str | None = None
    location: str | None = None
    pii: list[PiiSpan] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    # P(report) alone (photo and pin included): what nlp.decide.action reads; None when the
    # result was not made by the parser (then the action falls back to `confidence`).
    report_probability: float | None = Field(default=None, ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)


def _not_a_report(pii: list[PiiSpan] | None = None, confidence: float = 1.0) -> ParseResult:
    return ParseResult(
        is_report=False, pii=pii or [], confidence=confidence, report_probability=0.0
    )


class Parser:
    """Loads the dictionary and the shipped model once; parse() is then cheap and pure."""

    def __init__(self, places: Iterable[str] = (), model_path: Path = MODEL_FILE) -> None:
        self.places: tuple[str, ...] = tuple(
            sorted({normalize(p.strip()) for p in places if p and p.strip()}, key=len, reverse=True)
        )
        segment.tokenizer()
        segment.add_words(self.places)
        self.models = LinearModels.load(model_path)
        self._level_prior = level_prior(self.models.meta.get("level_counts", {}))

    def parse(
        self, text: str, *, has_photo: bool = False, has_location: bool = False
    ) -> ParseResult:
        """Decide what one message is. Never raises on odd input: it is just not a report."""
        if not isinstance(text, str) or not text.strip():
            return _not_a_report()
        norm = normalize(text)
        original = text[: len(norm)]
        pii = find_pii_normalised(norm, original)
        if not _HAS_CONTENT.search(norm) or junk_ratio(original) > 0.2:
            return _not_a_report(pii)
        if asks_who_is_there(norm):  # 现在还有人没睡吗: a roll call, however its words score
            return _not_a_report(pii)
        prepared, words, scored = self._scored(norm)
        report_logit = float(scored.scores[self.models.heads["report"].start])
        report_logit += _PHOTO_LOGIT * has_photo + _LOCATION_LOGIT * has_location
        p_report = 1.0 / (1.0 + pow(2.718281828459045, -report_logit))
        urgency = detect_urgency(norm)
        # Neither head calls danger when the rules hear the writer say it is over or was nothing
        # (刚才电梯困人的事 已经把人放出来了 都没事; an alarm test notice) and nobody still calls
        # for help or doubts it: the urgency head had read such words as danger and opened an
        # emergency for an all-clear. On the test split, sets 1–10 and the strangers' sets no
        # danger was lost and precision rose (test 0.826 → 0.831, set 4 0.926 → 0.936, set 8
        # 0.895 → 0.904, set 10 0.890 → 0.895).
        # A farewell or a missing grandfather reads like chat to the report head; when the urgency
        # head is very sure of a message long enough to say something, danger wins the doubt.
        # Neither model path overrides the rules' reading of danger words as a figure of speech
        # (热得脑壳都要冒烟了, 他脑子进水了: the head knows the words, not the figure) unless the
        # head still hears danger in the rest of the message.
        doubted = p_report < 0.5 and not urgency.urgent
        sure_danger = (
            doubted
            and not urgency.cleared
            and len(prepared) >= _SURE_DANGER_MIN_CHARS
            and self._urgent_p(scored) >= _SURE_DANGER_THRESHOLD
            and not self._only_the_figure(norm, _SURE_DANGER_THRESHOLD)
        )
        if doubted and not sure_danger:
            evidence = self._evidence(scored, words, "report", "no")
            return ParseResult(
                is_report=False,
                pii=pii,
                confidence=round(1.0 - p_report, 4),
                report_probability=round(p_report, 4),
                evidence=evidence,
            )
        # The place matters for a case; chatter and notices keep none (as the corpus labels them).
        blanks = [(s.start, s.end) for s in pii]
        span = find_location(norm, self.places, blanks)
        location = original[span[0] : span[1]] if span else None
        urgent = (
            urgency.urgent
            or sure_danger
            or (
                len(prepared) >= _URGENT_MODEL_MIN_CHARS
                and not urgency.cleared
                and self._urgent_by_model(scored)
                and not self._only_the_figure(norm, _URGENT_MODEL_THRESHOLD)
            )
        )
        categories = self.models.probabilities(scored, "category")
        category = max(categories, key=categories.__getitem__)
        levels = self.models.probabilities(scored, "level")
        level = suggest_level(norm, category, levels, urgent=urgent, prior=self._level_prior)
        confidence = max(p_report, 0.5) * categories[category]
        evidence = list(urgency.cues) + self._evidence(scored, words, "category", category)
        return ParseResult(
            is_report=True,
            category=category,
            level=level,
            urgent=urgent,
            hazard=hazard_of(category, norm) if urgent else None,
            location=location,
            pii=pii,
            confidence=round(min(1.0, confidence), 4),
            report_probability=1.0 if urgency.urgent or sure_danger else round(p_report, 4),
            evidence=_dedupe(evidence)[:6],
        )

    def _urgent_p(self, scored) -> float:  # noqa: ANN001
        return self.models.probabilities(scored, "urgent")["yes"]

    def _only_the_figure(self, norm: str, threshold: float) -> bool:
        """The urgency head's danger was the figure of speech: without its danger words (脑子进水了
        → 脑子 了) the head no longer reaches `threshold`."""
        spans = figures_of_speech(norm)
        if not spans:
            return False
        for start, end in spans:
            norm = norm[:start] + " " * (end - start) + norm[end:]
        return self._urgent_p(self._scored(norm)[2]) < threshold

    def _scored(self, norm: str) -> tuple[str, list[str], Scored]:
        """The prepared text, its words and every head's scores for a normalised message."""
        prepared = prepare(norm)
        words = segment.cut(prepared)
        return prepared, words, self.models.score(features(prepared, words, latin_words(norm)))

    def _urgent_by_model(self, scored) -> bool:  # noqa: ANN001
        """The learned urgency head backs the rules up for messages the report head takes."""
        return self._urgent_p(scored) >= _URGENT_MODEL_THRESHOLD

    def _evidence(self, scored, words: list[str], head: str, cls: str) -> list[str]:  # noqa: ANN001
        """The message's own words that pushed the decision most (words, not character pairs)."""
        marked = [WORD_MARK + w for w in words if len(w) > 1 and not _EVIDENCE_SKIP.search(w)]
        pushed = self.models.contributions(scored, marked, head, cls)
        if not pushed:
            return []
        floor = pushed[0][1] * 0.3  # words that barely moved the decision are no evidence
        return [f.removeprefix(WORD_MARK) for f, c in pushed[:5] if c >= floor]


def _dedupe(words: list[str]) -> list[str]:
    """Keep order; drop a word that is part of another one in the list."""
    return [
        w
        for i, w in enumerate(words)
        if w not in words[:i] and not any(w in o and w != o for o in words)
    ]


_lock = threading.Lock()
_parsers: dict[tuple[str, ...], Parser] = {}


def get_parser(places: Iterable[str] = ()) -> Parser:
    """The cached Parser for a set of configured place names."""
    key = tuple(sorted(set(places)))
    parser = _parsers.get(key)
    if parser is None:
        with _lock:
            parser = _parsers.get(key)
            if parser is None:
                parser = _parsers[key] = Parser(key)
    return parser
