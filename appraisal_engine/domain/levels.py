"""Position levels as personnel systems write them, and who may supervise whom.

A roster's `position_level` cell may hold the level's code (`jpt`, `administrator`, ...), its
name as the law writes it ("Jabatan Pimpinan Tinggi Pratama", "Jabatan Fungsional Analis
Kebijakan Ahli Muda"), or the old echelon (II.a, III.b, IV.a; also "IIa", "II/a", "Eselon
II.a"). `NAMES`, `PREFIXES` and `ECHELONS` are the one table of what each reads as.
"""

from __future__ import annotations

import re

from appraisal_engine.domain.employee import PositionLevel

L = PositionLevel

# Whole cells, lower-cased and with single spaces. JPT Madya (echelon I) reads as `jpt`: in a
# regional government it is the provincial secretary, in the appraisal chain a head like the
# JPT Pratama (see docs/policies.md).
NAMES: dict[str, PositionLevel] = {level.value: level for level in PositionLevel} | {
    "jpt pratama": L.JPT,
    "jpt madya": L.JPT,
    "jabatan pimpinan tinggi": L.JPT,
    "jabatan pimpinan tinggi pratama": L.JPT,
    "jabatan pimpinan tinggi madya": L.JPT,
    "pimpinan tinggi pratama": L.JPT,
    "pimpinan tinggi madya": L.JPT,
    "jabatan administrator": L.ADMINISTRATOR,
    "jabatan pengawas": L.PENGAWAS,
    "jabatan pelaksana": L.PELAKSANA,
    "jabatan fungsional": L.FUNGSIONAL,
    "jft": L.FUNGSIONAL,  # jabatan fungsional tertentu, the old name of functional posts
    "jfu": L.PELAKSANA,  # jabatan fungsional umum, the old name of the staff's posts
}
# A job title after these words, first match wins: "Jabatan Fungsional Perawat Terampil" is
# functional, "Fungsional Umum Pengadministrasi" (the old name) a staff post.
PREFIXES: tuple[tuple[str, PositionLevel], ...] = (
    ("jabatan fungsional umum", L.PELAKSANA),
    ("fungsional umum", L.PELAKSANA),
    ("jabatan fungsional ", L.FUNGSIONAL),
    ("fungsional ", L.FUNGSIONAL),
    ("jabatan pelaksana ", L.PELAKSANA),
    ("pelaksana ", L.PELAKSANA),
)
# Echelons, read without case, spaces, dots, slashes or hyphens ("II.a", "II/a", "iia").
ECHELONS: dict[str, PositionLevel] = {
    "ia": L.JPT,  # JPT Utama
    "ib": L.JPT,  # JPT Madya
    "iia": L.JPT,  # JPT Pratama: regional secretary
    "iib": L.JPT,  # JPT Pratama: head of office, assistant
    "iiia": L.ADMINISTRATOR,
    "iiib": L.ADMINISTRATOR,
    "iva": L.PENGAWAS,
    "ivb": L.PENGAWAS,
}
_SPACES = re.compile(r"\s+")
_ECHELON_MARKS = re.compile(r"[\s./-]+")

# Each level's place in the order of supervision, as (lowest, highest). A functional official's
# grade is not in the level: from Terampil (a staff member's place) to Ahli Madya, which
# PermenPAN-RB 17/2021 sets beside the administrator; so a Kepala Puskesmas or a school
# principal, functional officials, may head a section head. Someone may supervise a person
# whose lowest place is at most their own highest: the same level may supervise (a regional
# secretary the assistants, a principal the teachers, an acting head their former peers).
RANKS: dict[PositionLevel, tuple[int, int]] = {
    L.JPT: (4, 4),
    L.ADMINISTRATOR: (3, 3),
    L.PENGAWAS: (2, 2),
    L.FUNGSIONAL: (1, 3),
    L.PELAKSANA: (1, 1),
}


def read_level(text: str) -> PositionLevel | None:
    """The level a cell names (any case, inner spaces collapsed); None when it names none."""
    said = _SPACES.sub(" ", text.strip().lower())
    if said in NAMES:
        return NAMES[said]
    for prefix, level in PREFIXES:
        if said.startswith(prefix):
            return level
    echelon = _ECHELON_MARKS.sub("", said.removeprefix("eselon"))
    return ECHELONS.get(echelon)


def may_supervise(supervisor: PositionLevel, employee: PositionLevel) -> bool:
    """Whether someone at `supervisor`'s level may directly supervise someone at `employee`'s."""
    return RANKS[employee][0] <= RANKS[supervisor][1]
