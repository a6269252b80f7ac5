"""An Arabic catalog of 30 texts, made for the tests as a city would add one: a directory in
PBVOTE_LOCALE_DIRS, no code. Everything it leaves out (plurals included: Arabic has six
forms) falls back to English; the pages are laid out right to left."""

from pathlib import Path

CODE = "ar"
TEXTS = {
    "site.skip": "انتقل إلى المحتوى",
    "site.tagline": "الميزانية التشاركية",
    "site.language": "اللغة",
    "ballot.title": "ورقة الاقتراع",
    "vote.title": "صوّت",
    "vote.your_ranking": "ترتيبك",
    "vote.add": "أضف إلى ترتيبي",
    "vote.remove": "إزالة",
    "vote.up": "أعلى",
    "vote.down": "أسفل",
    "vote.read_more": "اقرأ المزيد عن {title}",
    "vote.review": "راجع ورقة اقتراعي",
    "vote.name": "الاسم الكامل",
    "vote.birth_date": "تاريخ الميلاد",
    "vote.postal_code": "الرمز البريدي",
    "vote.identity_legend": "من أنت",
    "vote.choices_legend": "اختياراتك بالترتيب",
    "vote.secret": "ورقة اقتراعك سرية: لا شيء يربطها بك.",
    "vote.projects": "المشاريع",
    "vote.tray_empty": "لم تختر شيئًا بعد: انقر على مشروع ليكون اختيارك التالي.",
    "process.budget": "الميزانية",
    "ballot.cost": "التكلفة",
    "results.title": "النتائج",
    "results.cost": "التكلفة",
    "results.votes": "الأصوات",
    "results.funded": "ممول",
    "results.not_funded": "غير ممول",
    "results.outcome": "النتيجة",
    "results.rank": "المرتبة",
    "results.all_heading": "كل المشاريع بترتيب العدّ",
}
HEADER = (
    'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : '
    'n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"\n\n'
)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_catalog(base: Path) -> Path:
    """`base/ar/LC_MESSAGES/messages.po`; returns the directory to name in PBVOTE_LOCALE_DIRS."""
    assert len(TEXTS) == 30
    entries = "".join(f"msgid {quoted(k)}\nmsgstr {quoted(v)}\n\n" for k, v in TEXTS.items())
    target = base / CODE / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(HEADER + entries, encoding="utf-8")
    return base
