"""Spot key-result attainment language in a shout-out, so the giver can describe behaviour.

Recognition tied to hitting a number invites sandbagging and gaming, so a shout-out that
praises attainment ("hit 120% of the KR", "beat the quota", "over-achieved") is held back and
its giver is nudged. Ordinary numbers ("cut refund time by 40%") and ordinary verbs ("met the
Payments team", "hit a wall") are not attainment and pass.
"""

from __future__ import annotations

import re

# "target audience", "target date" and friends are not targets anybody hits.
_TARGET_WORD = r"targets?\b(?!\s+(?:audience|group|market|users?|customers?|segments?|date)s?\b)"
_KR = r"krs?(?:\s*\d+)?|key[\s-]+results?|okrs?"
_STRONG_TARGET = (
    rf"(?:{_KR}|{_TARGET_WORD}|objectives?|goals?|quotas?|numbers?(?!\s+of\b)"
    r"|forecasts?|stretch[\s-]+goals?)\b"
)
_WEAK_TARGET = rf"(?:{_KR}|{_TARGET_WORD}|quotas?|numbers(?!\s+of\b)|the\s+number(?!\s+of\b))\b"
_NUMBER = r"\d+(?:[.,]\d+)?\s*(?:%|percent\b|pct\b|per\s*cent\b)"
_OWNER = r"(?:the|our|their|its|his|her|my|your|this|that|a|an|all|every|both|each)"
# Verbs that praise reaching a number whatever it was; goals are included.
_STRONG = (
    r"(?:hit|hits|hitting|beat|beats|beating|beaten|exceed|exceeds|exceeded|exceeding"
    r"|smash|smashed|smashing|crush|crushed|crushing|surpass|surpassed|surpassing"
    r"|nail|nailed|nailing|blew\s+past|blow\s+past|outperform|outperformed|topped|overshot)"
)
# Verbs that are ordinary with "our goal of ..." but attainment with a KR, target or quota.
_WEAK = (
    r"(?:achieve|achieved|achieving|reach|reached|reaching|meet|meets|met|meeting"
    r"|make|made|making|land|landed|landing|deliver|delivered|delivering)"
)
_ADJECTIVE = r"(?:[a-z0-9-]+\s+){0,2}"

_PATTERNS = (
    # "120% of the KR", "95 percent of target", "110% to plan"
    rf"\b{_NUMBER}\s*(?:of|on|against|to|above|over|vs\.?|versus)\s+(?:{_OWNER}\s+)?"
    rf"{_ADJECTIVE}(?:{_STRONG_TARGET}|plan\b)",
    # "hit the KR", "beat our quarterly target", "made our numbers", "exceeded KR2"
    rf"\b{_STRONG}\s+(?:{_OWNER}\s+)?{_ADJECTIVE}{_STRONG_TARGET}",
    rf"\b{_WEAK}\s+(?:{_OWNER}\s+)?{_ADJECTIVE}{_WEAK_TARGET}",
    # "target smashed", "KR2 was hit", "quota met"
    r"\b(?:krs?|key[\s-]+results?|okrs?|targets?|quotas?|goals?)\s*\d*\s+"
    r"(?:(?:was|were|is|are|got|been|has\s+been|have\s+been)\s+)?"
    r"(?:hit|beaten|exceeded|smashed|crushed|surpassed|achieved|reached|met|nailed)\b",
    # "KR2 at 100%", "KR 3: 95%", "KR1 is 110%"
    rf"\bkr\s*\d*\s*(?:at|to|is|was|reached|:|=|-)?\s*{_NUMBER}",
    # "100% attainment", "95% achieved", "110% completion"
    rf"\b{_NUMBER}\s*(?:attain\w*|achiev\w*|complet\w*|delivered|of\s+plan)",
    # "ahead of target", "above plan", "over quota"
    r"\b(?:ahead\s+of|above|beyond|over|under|below|behind)\s+(?:the\s+|our\s+|their\s+)?"
    rf"(?:{_TARGET_WORD}|quotas?\b|plan\b|forecast\b)",
    r"\battain(?:ment|ed|ing|s)?\b",
    r"\b(?:over|under)[\s-]?achiev\w*",
    r"\bsandbag\w*",
)
_GUARD = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def attainment_phrases(text: str) -> tuple[str, ...]:
    """Return the phrases of ``text`` that praise reaching a number rather than a behaviour."""
    return tuple(" ".join(m.group(0).split()) for m in _GUARD.finditer(text))


def mentions_attainment(text: str) -> bool:
    """Tell whether ``text`` praises reaching a key result, target or quota."""
    return _GUARD.search(text) is not None
