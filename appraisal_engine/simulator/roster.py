"""A fictional city government's roster, for demos and load tests; every person in it is made up."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.roster_parse import COLUMNS

L = PositionLevel
T = TypeVar("T")


def _words(text: str) -> list[str]:
    """Items of a compact table: split at "|" if there is one, else at spaces."""
    return text.split("|") if "|" in text else text.split()


# Per people: male given names, female given names, family names ("-": none, a second given name).
_PEOPLES = {
    "Javanese": (
        "Budi Agus Slamet Joko Bambang Heru Wahyu Eko Teguh Sugeng Prasetyo Hadi Gunawan Yanto",
        "Sri Siti Endang Wulan Ratna Dewi Rini Yuni Puji Sulastri Suryani Tutik Wahyuni Indah",
        "Santoso Wibowo Prasetyo Susanto Nugroho Setiawan Hartono Purnomo Kusuma Widodo - - -",
    ),
    "Sundanese": (
        "Asep Dadang Ujang Cecep Dede Ade Yayat Iwan Deden Jajang Engkos Usep",
        "Euis Neneng Imas Iis Cucu Nining Yeni Lilis Ai Enok Rina Tati",
        "Sutisna Hidayat Suryana Permana Rahmat Sudrajat Kurniawan Gumilar Saputra - -",
    ),
    "Batak": (  # the marga is always written
        "Togar Parulian Maruli Hotman Benny Roy Sahat Bonar Tigor Poltak Rudolf Halomoan",
        "Rosmawati Tiurma Romauli Lasma Dameria Rotua Lamtiur Nurmaida Hotmaida Ruslina",
        "Siregar Nasution Harahap Simanjuntak Sitompul Lubis Hutapea Pardede Sinaga Tambunan "
        "Manurung Siahaan Panjaitan Sembiring Ginting Tarigan Hasibuan Pohan Situmorang",
    ),
    "Malay": (
        "Zulkifli Syahrul Azhar Rizal Fauzi Hamdan Khairul Ridwan Amiruddin Syafii Zainal",
        "Nurhaliza Fatimah Zubaidah Aisyah Rosnah Khadijah Nurul Salmah Zaleha Rahmah",
        "Effendi Syahputra Hamzah Ismail Yusuf Abdullah Rahman - - -",
    ),
    "Minang": (  # clan (suku) names used as surnames now and then
        "Afrizal Yulizar Zulfikar Hendri Syafril Yusrizal Irwandi Febrianto Alfian Rahmat",
        "Yusnimar Desrina Nurhayati Ernawati Yeni Rahmi Fitri Mardiah Elvina Yulia",
        "Chaniago Piliang Koto Tanjung Sikumbang Jambak - - - -",
    ),
}
_MIX = "Javanese " * 5 + "Sundanese " * 2 + "Batak " * 2 + "Malay Minang"  # a Sumatran city
_GROUPS = [
    (_words(m), _words(f), [x.strip("-") for x in _words(fam)])
    for m, f, fam in (_PEOPLES[g] for g in _words(_MIX))
]
_DEGREES = {
    L.JPT: _words("S.Sos., M.Si.|S.E., M.M.|S.H., M.H.|S.T., M.T.|S.Pd., M.Pd.|S.E., M.Ak."),
    L.ADMINISTRATOR: _words("S.Sos., M.AP.|S.E.|S.H.|S.T.|S.Kom.|S.IP., M.Si.|S.Pd."),
    L.PENGAWAS: _words("S.Sos. S.E. S.H. S.T. S.Kom. S.Pd. S.AP. S.IP."),
    L.FUNGSIONAL: _words("S.Pd. S.Kep. A.Md.Keb. S.Kom. S.E. S.K.M. A.Md. S.Farm."),
    L.PELAKSANA: _words("A.Md.|S.E.|S.Sos.||||"),
}
_BORN = {L.JPT: (1966, 1978), L.ADMINISTRATOR: (1968, 1985), L.PENGAWAS: (1970, 1990)}
# Staff appointed from this year on are PPPK, on their first work agreement: cities have
# recruited their new teachers, nurses and clerks as PPPK since 2021. Decided from draws made
# anyway, so a seed gives everyone else the same person as before PPPK were generated.
_PPPK_FROM = 2021
_STAFF = (L.FUNGSIONAL, L.PELAKSANA)
_DINAS = (
    "DISDIK Pendidikan|DINKES Kesehatan|DISDUKCAPIL Kependudukan dan Pencatatan Sipil|"
    "DINSOS Sosial|DISNAKER Tenaga Kerja|DPUPR Pekerjaan Umum dan Penataan Ruang|"
    "DISHUB Perhubungan|DLH Lingkungan Hidup|DISKOMINFO Komunikasi dan Informatika|"
    "DP3A Pemberdayaan Perempuan dan Perlindungan Anak|DISPERINDAG Perindustrian dan Perdagangan|"
    "DKUKM Koperasi dan Usaha Kecil Menengah|DISPORAPAR Pemuda, Olahraga dan Pariwisata|"
    "DISPERKIM Perumahan dan Kawasan Permukiman|"
    "DPMPTSP Penanaman Modal dan Pelayanan Terpadu Satu Pintu|"
    "DPPKB Pengendalian Penduduk dan Keluarga Berencana|DISPERTAN Pertanian dan Ketahanan Pangan|"
    "DISPUSIP Perpustakaan dan Kearsipan|DAMKAR Pemadam Kebakaran dan Penyelamatan|"
    "DKP Kelautan dan Perikanan"
)
_OTHER = (
    "BAPPEDA Badan Perencanaan Pembangunan Daerah|"
    "BKPSDM Badan Kepegawaian dan Pengembangan Sumber Daya Manusia|"
    "BPKAD Badan Pengelolaan Keuangan dan Aset Daerah|BAPENDA Badan Pendapatan Daerah|"
    "BPBD Badan Penanggulangan Bencana Daerah|KESBANGPOL Badan Kesatuan Bangsa dan Politik|"
    "SETDA Sekretariat Daerah|SETWAN Sekretariat DPRD|INSPEKTORAT Inspektorat|"
    "SATPOLPP Satuan Polisi Pamong Praja|RSUD Rumah Sakit Umum Daerah|"
    "UPTD-LABKESDA UPTD Laboratorium Kesehatan Daerah|UPTD-BLK UPTD Balai Latihan Kerja|"
    "UPTD-PASAR UPTD Pengelolaan Pasar|UPTD-SAMPAH UPTD Pengelolaan Persampahan|"
    "UPTD-PARKIR UPTD Perparkiran"
)
_PLACES = _words(
    "Sukamaju Sidomulyo Tanjung_Sari Bukit_Permai Pasar_Lama Sungai_Jernih Padang_Tinggi "
    "Kampung_Baru Mekarsari Lubuk_Indah Teluk_Damai Karang_Anyar Simpang_Tiga Air_Bening "
    "Rantau_Jaya Bandar_Setia Sei_Merah Tebing_Hijau Lau_Cimba Batu_Gajah Padang_Rejo Suka_Damai "
    "Labuhan_Sejahtera Pulau_Intan Ujung_Tanjung Rawa_Indah Tegal_Sari Banjar_Harjo Kota_Lama "
    "Bangun_Sari"
)
_HEADS = {"SETDA": "Sekretaris Daerah", "SETWAN": "Sekretaris DPRD", "INSPEKTORAT": "Inspektur"}
_HEADS |= {"RSUD": "Direktur Rumah Sakit Umum Daerah"}
_HEALTH = {"DINKES", "RSUD", "UPTD-LABKESDA"}
_ADMINS = {
    "kec": _words(
        "Sekretaris Kecamatan|Kepala Seksi Pemerintahan|Kepala Seksi Pelayanan Umum|"
        "Kepala Seksi Ketenteraman dan Ketertiban"
    ),
    "pkm": _words(
        "Kepala Subbagian Tata Usaha|Penanggung Jawab UKM|Penanggung Jawab UKP|"
        "Penanggung Jawab Mutu"
    ),
    "": _words(
        "Sekretaris|Kepala Bidang Perencanaan dan Program|Kepala Bidang Pelayanan|"
        "Kepala Bidang Pengendalian dan Evaluasi"
    ),
}
_SUBBAG = ["Umum dan Kepegawaian", "Keuangan", "Perencanaan", "Program dan Pelaporan"]
_SEKSI = _words("Pendataan|Pelayanan|Pembinaan|Pengawasan|Evaluasi|Informasi|Sarana|Kerja Sama")
_PELAKSANA = _words(
    "Pengadministrasi Umum|Pengolah Data|Pengelola Keuangan|Pengadministrasi Perkantoran|"
    "Operator Layanan Operasional|Penata Layanan Operasional|Pengelola Layanan Kepegawaian"
)
_FUNGSIONAL = {
    "edu": _words("Guru Ahli Pertama|Guru Ahli Muda|Guru Ahli Madya|Pengawas Sekolah Ahli Madya"),
    "health": _words(
        "Perawat Terampil|Perawat Ahli Pertama|Bidan Terampil|Dokter Ahli Pertama|"
        "Apoteker Ahli Pertama|Nutrisionis Terampil|Sanitarian Terampil"
    ),
    "gen": _words(
        "Analis Kebijakan Ahli Muda|Pranata Komputer Ahli Pertama|Arsiparis Terampil|"
        "Analis SDM Aparatur Ahli Pertama|Perencana Ahli Pertama|Pranata Humas Terampil"
    ),
}
_FUNCTIONAL_SHARE = {"edu": 0.75, "health": 0.7, "gen": 0.3}
_FEMALE_SHARE = {"edu": 0.6, "health": 0.65, "gen": 0.4}
_WEIGHT = {"DISDIK": 4.0, "RSUD": 3.0, "DINKES": 2.0, "SETDA": 1.5}


@dataclass(frozen=True)
class _Office:
    code: str
    name: str
    head: str  # the head's position title
    kind: str  # "kec", "pkm" or "" (for the titles of administrators)
    field: str  # "edu", "health" or "gen" (for functional staff)


def _offices(units: int) -> list[_Office]:
    """The first `units` offices, the big ones first; numbered copies past the ~80 names."""
    base = [(c, f"Dinas {n}", "") for c, _, n in (d.partition(" ") for d in _DINAS.split("|"))]
    base += [(c, n, "") for c, _, n in (o.partition(" ") for o in _OTHER.split("|"))]
    base += [(f"KEC-{p.upper()}", f"Kecamatan {p.replace('_', ' ')}", "kec") for p in _PLACES[:14]]
    base += [(f"PKM-{p.upper()}", f"Puskesmas {p.replace('_', ' ')}", "pkm") for p in _PLACES]
    result = []
    for i in range(units):
        code, name, kind = base[i % len(base)]
        copy = i // len(base)
        head = _HEADS.get(code) or (f"Camat {name[len('Kecamatan ') :]}" if kind == "kec" else None)
        field = (
            "edu" if code == "DISDIK" else "health" if code in _HEALTH or kind == "pkm" else "gen"
        )
        suffix = (f"-{copy + 1}", f" {copy + 1}") if copy else ("", "")
        office_name = name + suffix[1]
        result.append(
            _Office(code + suffix[0], office_name, head or f"Kepala {office_name}", kind, field)
        )
    return result


def _sizes(rng: random.Random, employees: int, offices: list[_Office]) -> list[int]:
    """Everyone placed: one head per office, the rest shared by a random weight per office."""
    weights = [rng.uniform(0.6, 1.4) * _WEIGHT.get(o.code, 1.0) for o in offices]
    extra = employees - len(offices)
    total = sum(weights)
    shares = [w / total * extra for w in weights]
    sizes = [1 + int(s) for s in shares]
    by_remainder = sorted(range(len(offices)), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in by_remainder[: employees - sum(sizes)]:
        sizes[i] += 1
    return sizes


class _Maker:
    """Makes people with unique NIPs from one random stream for the whole roster."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.taken: set[str] = set()

    def pick(self, items: Sequence[T]) -> T:
        """A random item; faster than Random.choice, which matters at 20,000 people."""
        return items[int(self.random() * len(items))]

    def between(self, lo: int, hi: int) -> int:
        """A random integer from lo to hi, both included."""
        return lo + int(self.random() * (hi - lo + 1))

    def name(self, level: PositionLevel, female: bool, position: str) -> str:
        males, females, families = self.pick(_GROUPS)
        given = self.pick(females if female else males)
        other = self.pick(families) or self.pick(females if female else males)
        name = f"{given} {other}" if other != given else given  # some people have one name
        if position.startswith("Dokter"):
            return f"dr. {name}"
        degree = self.pick(_DEGREES[level])
        return f"{name}, {degree}" if degree else name

    def nip(self, level: PositionLevel, female: bool) -> str:
        """Born 1965-2000 (heads older), appointed 20-32 years later but not after 2024; staff
        appointed from 2021 have an NI PPPK (its code 21 where a PNS number has the month)."""
        lo, hi = _BORN.get(level, (1967, 2000))
        born = date.fromordinal(
            self.between(date(lo, 1, 1).toordinal(), date(hi, 12, 31).toordinal())
        )
        year = self.between(born.year + 20, min(born.year + 32, 2024))
        month = self.between(born.month if year == born.year + 20 else 1, 12)
        code = 21 if level in _STAFF and year >= _PPPK_FROM else month
        prefix = f"{born:%Y%m%d}{year:04d}{code:02d}{2 if female else 1}"
        sequence = self.between(1, 250)
        while f"{prefix}{sequence:03d}" in self.taken:
            sequence = sequence % 999 + 1
        self.taken.add(nip := f"{prefix}{sequence:03d}")
        return nip

    def person(
        self, office: _Office, level: PositionLevel, post: str, boss: str | None
    ) -> Employee:
        """One employee; a few administrators and pengawas are acting (Plt.) in the post."""
        female = post.startswith("Bidan") or self.random() < _FEMALE_SHARE[office.field]
        acting = level in (L.ADMINISTRATOR, L.PENGAWAS) and self.random() < 0.03
        return Employee(
            nip=self.nip(level, female),
            name=self.name(level, female, post),
            unit_code=office.code,
            unit_name=office.name,
            position=f"Plt. {post}" if acting else post,
            position_level=level,
            supervisor_nip=boss,
            acting=acting,
        )

    def unit(self, office: _Office, size: int) -> list[Employee]:
        """Head -> 2-4 administrators -> 2-4 pengawas each -> staff, as far as the size allows."""
        head = self.person(office, L.JPT, office.head, None)
        rest = size - 1
        n_admins = min(self.between(2, 4), max(1, rest // 4)) if rest else 0
        n_pengawas = min(sum(self.between(2, 4) for _ in range(n_admins)), (rest - n_admins) // 3)
        titles = _ADMINS[office.kind]
        admins = [self.person(office, L.ADMINISTRATOR, t, head.nip) for t in titles[:n_admins]]
        pengawas = []
        for i in range(n_pengawas):
            a, j = i % n_admins, i // n_admins  # dealt out in turn to the administrators
            title = (
                f"Kepala Subbagian {_SUBBAG[j % 4]}"
                if a == 0
                else f"Kepala Seksi {_SEKSI[(3 * a + j) % 8]}"
            )
            pengawas.append(self.person(office, L.PENGAWAS, title, admins[a].nip))
        bosses = pengawas or admins or [head]
        staff = []
        for _ in range(rest - n_admins - n_pengawas):
            functional = self.random() < _FUNCTIONAL_SHARE[office.field]
            level = L.FUNGSIONAL if functional else L.PELAKSANA
            post = self.pick(_FUNGSIONAL[office.field] if functional else _PELAKSANA)
            staff.append(self.person(office, level, post, self.pick(bosses).nip))
        return [head, *admins, *pengawas, *staff]


def generate_roster(employees: int, *, units: int | None = None, seed: int = 0) -> list[Employee]:
    """A fictional city's employees, office by office, the same for the same arguments."""
    if units is None:
        units = max(1, min(80, round(employees / 150), employees))
    if employees < 1 or not 1 <= units <= employees:
        raise ValueError("need at least one employee and between 1 and `employees` units")
    maker = _Maker(seed)
    offices = _offices(units)
    sizes = _sizes(maker.rng, employees, offices)
    return [
        e for office, size in zip(offices, sizes, strict=True) for e in maker.unit(office, size)
    ]


def roster_csv(employees: Iterable[Employee]) -> bytes:
    """The employees as the comma-separated UTF-8 CSV that parse_roster reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in employees:
        acting = "true" if e.acting else "false"
        level, boss = e.position_level.value, e.supervisor_nip or ""
        writer.writerow([e.nip, e.name, e.unit_code, e.unit_name, e.position, level, boss, acting])
    return out.getvalue().encode("utf-8")
