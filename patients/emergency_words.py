"""The emergency signs of the symptom form, found in a patient's own words.

A message is never the only route to help: when a patient writes about one of the signs that
need urgent care (the ``SymptomReport.EMERGENCY`` symptoms), the page shows the urgent-care
advice before the message is sent, and the thread goes to the top of the clinician's queue.
The same patterns run on the phone (they are handed to the page as JSON), so the advice shows
offline too. A false alarm costs a patient a second's reading; a missed sign costs far more:
the patterns lean towards matching ("no numbness in the saddle area" matches too).

Pure: no models, no database.
"""

import re

# Symptom code → patterns, each searched in the lower-cased text with curly quotes made
# straight. ``.{0,40}`` lets a few words stand between the two halves of a phrase.
_NEAR = r"[^.!?\n]{0,40}"
_SADDLE = r"(genital|groin|buttock|bottom|bum|private|crotch|anus|perine|vagina|penis)"
_CONTROL = r"(control|lost|losing|lose|leak|leaking|wet myself|wetting|accident|accidents)"
PATTERNS: dict[str, tuple[str, ...]] = {
    "saddle_numbness": (
        r"\bsaddle\b",
        rf"\bnumb{_NEAR}\b{_SADDLE}",
        rf"\bnumb{_NEAR}\bbetween (my|the) legs",
        rf"\b{_SADDLE}{_NEAR}\b(numb|tingl|no feeling|can'?t feel|cannot feel)",
    ),
    "bladder_bowel": (
        r"\bincontinen",
        rf"\b{_CONTROL}{_NEAR}\b(bladder|bowel|pee|wee|urine|poo)",
        rf"\b(bladder|bowels?){_NEAR}\b(control|leak|leaking|accidents?|let go|gave way)",
        r"\bwet (myself|the bed)\b",
        r"\bsoiled\b",
    ),
    "urine_retention": (
        r"\b(can'?t|cannot|can not|unable to|couldn'?t|could not)\s+(pass urine|pee|wee|urinate)\b",
        rf"\b(can'?t|cannot|can not|couldn'?t|could not)\s+feel{_NEAR}\bbladder",
    ),
    "leg_weaker": (
        rf"\bleg{_NEAR}\b(weaker|weak|giving way|gives way|gave way|collaps\w*|buckl\w*)",
        r"\b(weak|weakness|weaker) in (my|one|the|a) ((left|right|other) )?(leg|foot)",
        r"\bfoot (drags|dragging|drag|drop|slaps|slapping|catches)\b",
        r"\bdrop foot\b",
        r"\b(can'?t|cannot|unable to) (lift|raise) my (foot|toes)",
    ),
    "both_legs_weak": (
        rf"\bboth legs{_NEAR}\b(weak|numb|tingl|dead)",
        rf"\b(weak|numb|tingl)\w*{_NEAR}\bboth legs",
    ),
    "sexual_numbness": (rf"\b(sex|erection){_NEAR}\bnumb", rf"\bnumb{_NEAR}\b(sex|erection)"),
}

_COMPILED = {
    code: [re.compile(pattern) for pattern in patterns] for code, patterns in PATTERNS.items()
}


def normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def emergency_signs_in(text: str) -> list[str]:
    """The symptom codes whose words appear in ``text``, in the form's order."""
    text = normalise(text)
    return [code for code, patterns in _COMPILED.items() if any(p.search(text) for p in patterns)]


def patterns_for_browser() -> dict[str, list[str]]:
    """The same patterns for the page's script (JavaScript's RegExp reads them as they are)."""
    return {code: list(patterns) for code, patterns in PATTERNS.items()}
