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

# The same signs in each shipped language's everyday words, searched in every message
# whatever the patient's language (a patient may write in another one). JavaScript's \\b
# knows only ASCII letters, so \\b stands only before an ASCII letter here, and never in
# the Arabic: the phone and the server must find the same words.
_SADDLE_ES = (
    r"(\bgenital|\bingle|\bnalga|\bgl[úu]teo|\btrasero|\bculo|[íi]ntim|\bentrepierna|\bano\b"
    r"|\bperin|\bvagina|\bpene\b|\bvulva)"
)
_NUMB_ES = r"(\badormec|\bentumec|\bdormid|\bhormigue|\bno siento|\bsin sensibilidad|\binsensib)"
_WEAK_ES = r"(\bd[ée]bil|\bdebilidad|\bsin fuerza)"
SPANISH: dict[str, tuple[str, ...]] = {
    "saddle_numbness": (
        r"\bsilla de montar",
        rf"{_NUMB_ES}{_NEAR}{_SADDLE_ES}",
        rf"{_SADDLE_ES}{_NEAR}{_NUMB_ES}",
        rf"{_NUMB_ES}{_NEAR}\bentre las piernas",
    ),
    "bladder_bowel": (
        r"\bincontinencia",
        rf"(\bcontrol|\bse me escap|\bescap|\bperd|\bpierdo|\bmoj){_NEAR}"
        r"(\bvejiga|\borina|\bpis\b|\bheces|\bintestin|\bcaca)",
        rf"(\bvejiga|\bintestin){_NEAR}(\bcontrol|\bescap|\bfall)",
        r"\bme (hice|he hecho|hago) (pis|caca) encima",
        r"\bme (orin[ée]|he orinado|orino) encima",
    ),
    "urine_retention": (
        r"\bno (puedo|pude|consigo|he podido) (orinar|hacer pis|mear)",
        rf"\bno (siento|noto){_NEAR}\bvejiga",
    ),
    "leg_weaker": (
        rf"\bpierna{_NEAR}({_WEAK_ES}|\bfalla|\bfall[óo]|\bcede|\bse (me )?dobla)",
        rf"{_WEAK_ES}{_NEAR}\b(pierna|pie\b)",
        r"\b(arrastro|arrastra|arrastrando) (el|un|mi) pie",
        rf"\bpie{_NEAR}(\barrastr|\bcae\b|\bca[íi]do|\bse cae|\bgolpea)",
        r"\bno puedo (levantar|subir) (el pie|la punta del pie|los dedos del pie)",
    ),
    "both_legs_weak": (
        rf"\b(ambas|las dos) piernas{_NEAR}({_WEAK_ES}|{_NUMB_ES})",
        rf"({_WEAK_ES}|{_NUMB_ES}){_NEAR}\b(ambas|las dos) piernas",
    ),
    "sexual_numbness": (
        rf"(\bsexo|\bsexual|\brelaciones|\berecci[óo]n){_NEAR}{_NUMB_ES}",
        rf"{_NUMB_ES}{_NEAR}(\bsexo|\bsexual|\berecci[óo]n)",
    ),
}
_SADDLE_AR = r"(الأعضاء التناسلية|العانة|الأرداف|المؤخرة|الشرج|العجان|بين الفخذين|المنطقة الحساسة)"
_NUMB_AR = r"(خدر|تنميل|لا أشعر|فقدان الإحساس)"
_BOTH_LEGS_AR = r"(كلتا الساقين|الساقين|ساقي الاثنتين|رجلي الاثنتين|كلتا رجلي)"
ARABIC: dict[str, tuple[str, ...]] = {
    "saddle_numbness": (
        r"منطقة السرج",
        rf"{_NUMB_AR}{_NEAR}{_SADDLE_AR}",
        rf"{_SADDLE_AR}{_NEAR}{_NUMB_AR}",
    ),
    "bladder_bowel": (
        r"سلس",
        rf"(لا أستطيع التحكم|لا أتحكم|فقدت السيطرة|فقدان السيطرة|تسرب){_NEAR}"
        r"(البول|المثانة|البراز|الأمعاء)",
        r"(بللت|تبولت) (نفسي|على نفسي|في ملابسي)",
    ),
    "urine_retention": (
        r"(لا أستطيع|لا أقدر على|لم أستطع|لا يمكنني) (التبول|أن أتبول)",
        rf"(لا أشعر|لا أحس){_NEAR}المثانة",
    ),
    "leg_weaker": (
        rf"(ساقي|الساق|رجلي|قدمي){_NEAR}(تضعف|ضعيفة|أضعف|ضعف|تنهار|تخذلني)",
        rf"ضعف{_NEAR}(ساقي|الساق|رجلي|قدمي|القدم)",
        rf"(قدمي|القدم){_NEAR}(تسحب|تجر|أجر|أسحب|تسقط|ترتطم)",
        r"(أجر|أسحب) قدمي",
    ),
    "both_legs_weak": (
        rf"{_BOTH_LEGS_AR}{_NEAR}(ضعف|ضعيفة|خدر|تنميل)",
        rf"(ضعف|خدر|تنميل){_NEAR}{_BOTH_LEGS_AR}",
    ),
    "sexual_numbness": (
        rf"(الجماع|الجنس|الانتصاب){_NEAR}{_NUMB_AR}",
        rf"{_NUMB_AR}{_NEAR}(الجماع|الجنس|الانتصاب)",
    ),
}
for _code, _patterns in (*SPANISH.items(), *ARABIC.items()):
    PATTERNS[_code] = PATTERNS[_code] + _patterns

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
