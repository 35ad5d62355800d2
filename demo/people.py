"""The sales organisation: workers, job history, leave, CRM users, plans, assignments, quotas.

Shape (scale 1 = 200 payees; ``round(200 * scale)`` payees, at least 3):

* one VP Sales (``E00001``); about 8.5% of payees are managers, a sixth of them
  regional directors (second level, AMER or EMEA) with first-line sales managers
  below them; about 15% sales development reps (SDR, the overlay plan); the rest
  account executives (AE) in teams under the first-line managers.
* countries US, CA, GB, DE, FR, NL; currencies USD, CAD, GBP, EUR.
* hires and terminations inside 2025 and 2026; some AEs promoted to sales
  manager mid-year (their team reported to another manager before), team
  transfers, a title promotion in July 2025, target-incentive raises on
  2026-01-01; paid and unpaid leave.
* two CRM users without an HR record (an integration user and a contractor)
  own a handful of deals: downstream must quarantine those deals.

Everything here loops over people (fine up to 10,000 payees); the deal volume
lives in :mod:`demo.deals`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from core.periods import month_index, month_start
from demo.clock import AS_OF, CRM_BATCHES, HR_BATCHES, PLAN_YEARS
from demo.market import COUNTRIES, CURRENCIES, FX_LEVEL, USER_ID_PREFIX
from demo.output import sf_id_text

STREAM_ORG = 101
STREAM_QUOTA = 102
MIN_PAYEES = 3

VP, DIRECTOR, MANAGER, AE, SDR = "vp", "director", "manager", "ae", "sdr"
LEADERSHIP, AE_FAMILY, SDR_FAMILY = "Sales Leadership", "Account Executive", "Sales Development"
EMAIL_DOMAIN = "demo-spm.example"

# (annual base salary, annual target incentive) in USD before a +-10% jitter
ROLE_PAY_USD = {
    VP: (260_000, 240_000),
    DIRECTOR: (200_000, 150_000),
    MANAGER: (150_000, 110_000),
    AE: (95_000, 95_000),
    SDR: (60_000, 25_000),
}
TEAM_COUNTRY_CYCLE = ("US", "GB", "DE", "US", "FR", "CA", "US", "NL", "GB", "US", "DE", "US")
COUNTRY_WEIGHTS = {"US": 0.45, "CA": 0.08, "GB": 0.18, "DE": 0.14, "FR": 0.10, "NL": 0.05}
PROMOTION_DATES = (date(2026, 4, 1), date(2025, 7, 1), date(2026, 6, 1), date(2025, 4, 1))
TITLE_PROMOTION_DATE = date(2025, 7, 1)
MERIT_DATE = date(2026, 1, 1)
FORCED_NEW_HIRE = date(2026, 10, 12)  # arrives in the HR batch of 2026-11-27
FORCED_TERMINATION = date(2026, 11, 6)  # ditto

# plan family per role; a promoted AE is on the AE plan until the promotion date,
# an AE hired during a plan year is on the new-hire plan (ramp + draw) that year
PLAN_FAMILY = {VP: "MGR", DIRECTOR: "MGR", MANAGER: "MGR", AE: "AE", SDR: "SDR"}
NEW_HIRE_FAMILY = "AE_RAMP"
PLAN_FAMILIES = ("AE", NEW_HIRE_FAMILY, "MGR", "SDR")
SDR_BASE_RATE = "0.03"  # the SDR overlay's flat base commission on own credit
SPIF_FAMILY, SPIF_AMOUNT_PER_UNIT = "Analytics", "250"
SPIF_WINDOWS = {2026: (date(2026, 4, 1), date(2026, 6, 30))}  # the SDR SPIF runs in 2026 only

FIRST_NAMES = (
    "James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Sophia", "Lucas", "Mia", "Ethan", "Ava", "Mateo",
    "Chloé", "Léa", "Hugo", "Louis", "Zoë", "Jürgen", "Anna", "Lukas", "Hannah", "Felix", "Sofia", "Jonas",
    "Emily", "Oliver", "Amelia", "Harry", "Isla", "Jack", "Aisha", "Omar", "Priya", "Arjun", "Mei", "Wei",
    "Hiroshi", "Yuki", "Fatima", "Mohammed", "Carlos", "José", "María", "Sebastián", "Isabel", "Daniel",
    "Grace", "Henry", "Charlotte", "William", "Siobhán", "Seán", "Niamh", "Björn", "Ingrid", "Noor",
    "Thomas", "Marie", "Pierre", "Camille", "Élodie", "Matthias", "Katarzyna", "Łukasz", "Ana", "João",
    "Chidi", "Amara", "Kwame", "Nia",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martínez", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
    "Wagner", "Becker", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Bernard", "de Vries",
    "van Dijk", "Bakker", "Janssen", "Visser", "O'Brien", "Murphy", "Kelly", "Patel", "Singh", "Nguyen",
    "Kim", "Chen", "Wang", "Tanaka", "Sato", "Okafor", "Mensah", "Kowalski", "Nowak", "Silva", "Santos",
    "Rossi", "Ferrari", "Andersson", "Johansson", "MacDonald", "Campbell", "Stewart", "Evans", "Hughes",
    "Roberts",
)


@dataclass(frozen=True)
class JobState:
    job_family: str
    job_title: str
    manager: int | None  # person index
    cost_center: str
    target_incentive: int  # whole units of the person's currency


@dataclass(frozen=True)
class Leave:
    start: date
    end: date  # inclusive
    leave_type: str
    paid: bool


@dataclass
class Person:
    index: int
    first_name: str
    last_name: str
    email: str
    role: str  # current role
    country: str
    hire: date
    termination: date | None = None
    team: int | None = None  # index of the first-line manager whose team the person sells in
    promoted_on: date | None = None  # AE -> sales manager
    base_salary: int = 0
    history: list[tuple[date, JobState]] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)

    @property
    def employee_id(self) -> str:
        return f"E{self.index + 1:05d}"

    @property
    def user_number(self) -> int:
        return self.index + 1

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def currency(self) -> str:
        return COUNTRIES[self.country][0]

    @property
    def last_day(self) -> date:
        return self.termination or date.max

    def state_on(self, d: date) -> JobState | None:
        state = None
        for effective, s in self.history:
            if effective <= d:
                state = s
        return state

    def employed_on(self, d: date) -> bool:
        return self.hire <= d <= self.last_day


@dataclass(frozen=True)
class OrphanUser:
    """A CRM user with no HR worker behind it."""

    user_number: int
    name: str
    email: str
    employee_number: str | None


@dataclass
class Org:
    people: list[Person]
    orphans: list[OrphanUser]
    anchor: int  # an AE employed throughout, owner of the scripted deals
    seed: int

    @property
    def n_sellers(self) -> int:
        """People first, then the orphan users (the deal owners' index space)."""
        return len(self.people) + len(self.orphans)

    def user_id(self, seller: int) -> str:
        if seller < len(self.people):
            return sf_id_text(USER_ID_PREFIX, self.people[seller].user_number)
        return sf_id_text(USER_ID_PREFIX, self.orphans[seller - len(self.people)].user_number)


# ---------------------------------------------------------------- building the org


def _round_to(value: float, step: int) -> int:
    return int(Decimal(str(value / step)).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def _in_currency(usd: float, currency: str, step: int) -> int:
    return _round_to(usd * float(FX_LEVEL[currency]), step)


def middle_initials(repeat: int) -> str:
    """The middle initial of the ``repeat``-th repeat of a name (1: "A.", 26: "Z.", 27: "A. A.", ...)."""
    letters = []
    while repeat > 0:
        repeat, letter = divmod(repeat - 1, 26)
        letters.append(f"{chr(ord('A') + letter)}.")
    return " ".join(reversed(letters))


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _random_day(rng: np.random.Generator, lo: date, hi: date) -> date:
    return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _month_starts(lo: date, hi: date) -> list[date]:
    starts = (month_start(index) for index in range(month_index(lo), month_index(hi) + 1))
    return [d for d in starts if d >= lo]


def build_org(n_payees: int, seed: int) -> Org:
    rng = np.random.default_rng([seed, STREAM_ORG])
    n = max(MIN_PAYEES, int(n_payees))
    n_leaders = max(1, round(n * 0.085))
    n_directors = n_leaders // 6
    n_flm = n_leaders - n_directors
    n_sdr = max(1, round(n * 0.15)) if n >= 4 else 0
    n_ae = n - 1 - n_leaders - n_sdr

    directors = list(range(1, 1 + n_directors))
    flms = list(range(1 + n_directors, 1 + n_leaders))
    aes = list(range(1 + n_leaders, 1 + n_leaders + n_ae))
    sdrs = list(range(1 + n_leaders + n_ae, n))
    ics = aes + sdrs
    anchor = aes[0]
    forced_hire = aes[-1] if n_ae >= 3 else None
    forced_term = aes[-2] if n_ae >= 4 else None

    # names and e-mails
    firsts = rng.integers(0, len(FIRST_NAMES), n)
    lasts = rng.integers(0, len(LAST_NAMES), n)
    people: list[Person] = []
    seen_emails: set[str] = set()
    seen_names: dict[tuple[str, str], int] = {}
    roles = [VP] + [DIRECTOR] * n_directors + [MANAGER] * n_flm + [AE] * n_ae + [SDR] * n_sdr
    for i in range(n):
        first, last = FIRST_NAMES[firsts[i]], LAST_NAMES[lasts[i]]
        local = f"{_ascii(first)}.{_ascii(last)}"
        # a name drawn again gets a middle initial: every full name is one person's (a payroll
        # that matches payees by name, Gusto, refuses a file where two share one)
        repeat = seen_names.get((first, last), 0)
        seen_names[(first, last)] = repeat + 1
        if repeat:
            first = f"{first} {middle_initials(repeat)}"
        email, k = f"{local}@{EMAIL_DOMAIN}", 1
        while email in seen_emails:
            k += 1
            email = f"{local}{k}@{EMAIL_DOMAIN}"
        seen_emails.add(email)
        people.append(Person(i, first, last, email, roles[i], "US", date(2019, 3, 4)))

    # geography and reporting lines
    director_geo = {d: ("AMER", "EMEA")[j % 2] for j, d in enumerate(directors)}
    for d in directors:
        people[d].country = "US" if director_geo[d] == "AMER" else "GB"
    parent: dict[int, int] = {d: 0 for d in directors}
    geo_seen: dict[str, int] = {}
    for k, f in enumerate(flms):
        people[f].country = TEAM_COUNTRY_CYCLE[k % len(TEAM_COUNTRY_CYCLE)]
        geo = COUNTRIES[people[f].country][2]
        same_geo = [d for d in directors if director_geo[d] == geo]
        if same_geo:
            parent[f] = same_geo[geo_seen.get(geo, 0) % len(same_geo)]
            geo_seen[geo] = geo_seen.get(geo, 0) + 1
        elif directors:
            parent[f] = directors[k % len(directors)]
        else:
            parent[f] = 0
    # Each unit (the VP's office, a director's region, a manager's team) books its people to a
    # cost center per country: CC-<the person's country>-<unit>, so a payee's cost center is
    # always in the country whose payroll pays them (cost_centers.csv lists them).
    unit = {0: "HQ"}
    for j, d in enumerate(directors):
        unit[d] = f"SALES-{director_geo[d]}-{j + 1:02d}"
    for k, f in enumerate(flms):
        unit[f] = f"{k + 1:03d}"

    def cost_center(owner: int, person: Person) -> str:
        return f"CC-{person.country}-{unit[owner]}"

    n_promoted = max(1, round(n_flm * 0.15))
    promoted = flms[len(flms) - n_promoted:]
    steady_flms = [f for f in flms if f not in promoted]
    for j, f in enumerate(promoted):
        people[f].promoted_on = PROMOTION_DATES[j % len(PROMOTION_DATES)]
    predecessor = {f: (steady_flms[0] if steady_flms else parent[f]) for f in promoted}

    country_codes = list(COUNTRY_WEIGHTS)
    country_p = np.array(list(COUNTRY_WEIGHTS.values()))
    country_p = country_p / country_p.sum()
    for i, person_index in enumerate(ics):
        p = people[person_index]
        p.team = flms[i % len(flms)]
        home = rng.random() < 0.75
        drawn = country_codes[int(rng.choice(len(country_codes), p=country_p))]
        if i == 0:
            p.country = people[p.team].country
        elif i == 1:
            p.country = "DE"
        elif i == 2:
            p.country = "GB"
        else:
            p.country = people[p.team].country if home else drawn
    for f in flms:
        people[f].team = f

    # hire and termination dates
    for d in directors:
        people[d].hire = _random_day(rng, date(2018, 1, 1), date(2022, 12, 31))
    for f in flms:
        hi = date(2023, 6, 30) if f in promoted else date(2023, 12, 31)
        people[f].hire = _random_day(rng, date(2018, 1, 1) if f not in promoted else date(2019, 1, 1), hi)
    for person_index in ics:
        p = people[person_index]
        new_hire = rng.random() < 0.15
        old_day = _random_day(rng, date(2018, 1, 1), date(2024, 12, 31))
        new_day = _random_day(rng, date(2025, 1, 6), date(2026, 11, 1))
        quits = rng.random() < 0.08
        term_u = rng.random()
        p.hire = new_day if new_hire and person_index != anchor else old_day
        if person_index == anchor:
            p.hire = min(p.hire, date(2022, 12, 31))
        if person_index == forced_hire:
            p.hire = FORCED_NEW_HIRE
        elif person_index == forced_term:
            p.hire = min(old_day, date(2023, 12, 31))
            p.termination = FORCED_TERMINATION
        elif quits and person_index != anchor:
            lo = max(p.hire + timedelta(days=120), date(2025, 3, 1))
            hi = date(2026, 11, 20)
            if lo <= hi:
                p.termination = lo + timedelta(days=int(term_u * ((hi - lo).days + 1)))

    # pay and job titles
    target_incentive: dict[int, int] = {}
    title: dict[int, str] = {}
    for p in people:
        base_usd, ti_usd = ROLE_PAY_USD[p.role]
        base_usd *= rng.uniform(0.9, 1.1)
        ti_usd *= rng.uniform(0.9, 1.1)
        title_u = rng.random()
        p.base_salary = _in_currency(base_usd, p.currency, 1000)
        target_incentive[p.index] = _in_currency(ti_usd, p.currency, 500)
        if p.role == AE:
            title[p.index] = "Account Executive" if title_u < 0.6 else (
                "Senior Account Executive" if title_u < 0.9 else "Enterprise Account Executive"
            )
        elif p.role == SDR:
            title[p.index] = (
                "Sales Development Representative" if title_u < 0.75 else "Senior Sales Development Representative"
            )

    # job history: an initial state at hire plus effective-dated changes
    for p in people:
        changes: dict[date, dict] = {}
        ti = target_incentive[p.index]
        u_transfer, u_title, u_merit = rng.random(), rng.random(), rng.random()
        month_pick = rng.random()
        if p.role == VP:
            initial = JobState(LEADERSHIP, "VP Sales", None, cost_center(0, p), ti)
        elif p.role == DIRECTOR:
            initial = JobState(LEADERSHIP, "Regional Sales Director", 0, cost_center(p.index, p), ti)
        elif p.role == MANAGER and p.promoted_on is None:
            initial = JobState(LEADERSHIP, "Sales Manager", parent[p.index], cost_center(p.index, p), ti)
        elif p.role == MANAGER:
            pred = predecessor[p.index]
            ae_ti = _in_currency(ROLE_PAY_USD[AE][1] * 1.1, p.currency, 500)
            initial = JobState(AE_FAMILY, "Senior Account Executive", pred, cost_center(pred, p), ae_ti)
            changes[p.promoted_on] = {
                "job_family": LEADERSHIP,
                "job_title": "Sales Manager",
                "manager": parent[p.index],
                "cost_center": cost_center(p.index, p),
                "target_incentive": ti,
            }
        else:
            family = AE_FAMILY if p.role == AE else SDR_FAMILY
            team = p.team
            manager, cc = team, cost_center(team, p)
            promoted_on = people[team].promoted_on
            if promoted_on is not None and p.hire < promoted_on:
                manager = predecessor[team]
                changes[promoted_on] = {"manager": team}
            others = [f for f in steady_flms if f != team]
            movable = (
                promoted_on is None
                and others
                and p.index not in (anchor, forced_hire, forced_term)
                and p.hire < date(2025, 1, 1)
            )
            if movable and u_transfer < 0.05:
                months = [m for m in _month_starts(date(2025, 3, 1), date(2026, 11, 1)) if m < p.last_day and m != MERIT_DATE]
                if months:
                    moved_on = months[int(month_pick * len(months))]
                    old = others[int(u_transfer / 0.05 * len(others)) % len(others)]
                    manager, cc = old, cost_center(old, p)
                    changes[moved_on] = {"manager": team, "cost_center": cost_center(team, p)}
            initial = JobState(family, title[p.index], manager, cc, ti)
            if (
                p.role == AE
                and title[p.index] == "Account Executive"
                and p.hire < TITLE_PROMOTION_DATE <= p.last_day
                and p.index != anchor
                and u_title < 0.06
            ):
                changes.setdefault(TITLE_PROMOTION_DATE, {}).update(
                    {"job_title": "Senior Account Executive", "ti_factor": Decimal("1.10")}
                )
        if p.hire < date(2025, 10, 1) and p.employed_on(MERIT_DATE) and u_merit < 0.35:
            changes.setdefault(MERIT_DATE, {}).update({"ti_factor": Decimal("1.05")})
        p.history = _fold(p, initial, changes)

    # leave
    leave_kinds = (("Parental Leave", True, 60, 120), ("Medical Leave", True, 10, 40),
                   ("Sabbatical", False, 20, 60), ("Unpaid Personal Leave", False, 5, 30))
    for p in people:
        u, kind, length_u, start_u = rng.random(), int(rng.integers(0, len(leave_kinds))), rng.random(), rng.random()
        if p.index == anchor:
            p.leaves = [
                Leave(date(2026, 3, 2), date(2026, 3, 27), "Sabbatical", False),
                Leave(date(2026, 10, 19), date(2026, 10, 30), "Unpaid Personal Leave", False),
            ]
            continue
        if len(aes) > 1 and p.index == aes[1] and p.employed_on(date(2025, 5, 5)) and p.employed_on(date(2025, 8, 1)):
            p.leaves = [Leave(date(2025, 5, 5), date(2025, 8, 1), "Parental Leave", True)]
            continue
        if u >= 0.08:
            continue
        name, paid, shortest, longest = leave_kinds[kind]
        length = shortest + int(length_u * (longest - shortest))
        lo = max(p.hire + timedelta(days=30), date(2025, 1, 6))
        hi = min(AS_OF, p.last_day - timedelta(days=length))
        if lo > hi:
            continue
        start = lo + timedelta(days=int(start_u * (hi - lo).days))
        p.leaves = [Leave(start, start + timedelta(days=length - 1), name, paid)]

    orphans = [
        OrphanUser(n + 1, "Integration User", f"integration.user@{EMAIL_DOMAIN}", None),
        OrphanUser(n + 2, "Dana Contractor", f"dana.contractor@{EMAIL_DOMAIN}", "C-00042"),
    ]
    return Org(people=people, orphans=orphans, anchor=anchor, seed=seed)


def _fold(person: Person, initial: JobState, changes: dict[date, dict]) -> list[tuple[date, JobState]]:
    rows = [(person.hire, initial)]
    state = initial
    for effective in sorted(changes):
        if effective <= person.hire or effective > person.last_day:
            continue
        change = dict(changes[effective])
        factor = change.pop("ti_factor", None)
        state = replace(state, **change)
        if factor is not None:
            state = replace(state, target_incentive=_round_to(state.target_incentive * float(factor), 500))
        rows.append((effective, state))
    return rows


# ---------------------------------------------------------------- HR extracts


def _window(batches: tuple[date, ...], k: int) -> tuple[date | None, date]:
    return (batches[k - 1] if k else None, batches[k])


def _in(d: date | None, window: tuple[date | None, date]) -> bool:
    lo, hi = window
    return d is not None and d <= hi and (lo is None or d > lo)


def _changed_in(p: Person, window) -> bool:
    return _in(p.hire, window) or _in(p.termination, window) or any(_in(d, window) for d, _ in p.history)


def worker_rows(org: Org, k: int) -> list[dict]:
    window = _window(HR_BATCHES, k)
    d = window[1]
    rows = []
    for p in org.people:
        if p.hire > d or (k and not _changed_in(p, window)):
            continue
        state = p.state_on(d)
        rows.append(
            {
                "employee_id": p.employee_id,
                "full_name": p.full_name,
                "email": p.email,
                "hire_date": p.hire.isoformat(),
                "termination_date": p.termination.isoformat() if p.termination and p.termination <= d else None,
                "job_family": state.job_family,
                "job_title": state.job_title,
                "manager_employee_id": org.people[state.manager].employee_id if state.manager is not None else None,
                "cost_center": state.cost_center,
                "country": p.country,
                "currency": p.currency,
                "annual_base_salary": f"{p.base_salary}.00",
                "annual_target_incentive": f"{state.target_incentive}.00",
            }
        )
    return rows


def cost_center_rows(org: Org) -> list[dict]:
    """config cost_centers.csv: every cost center a person is ever booked to, in the country of the
    people booked to it (build_org: CC-<country>-<unit>)."""
    country = {s.cost_center: p.country for p in org.people for _, s in p.history}
    return [
        {"cost_center": code, "country": country[code], "name": f"Sales {code.split('-', 2)[2]} ({country[code]})"}
        for code in sorted(country)
    ]


def job_history_rows(org: Org, k: int) -> list[dict]:
    window = _window(HR_BATCHES, k)
    rows = []
    for p in org.people:
        for effective, s in p.history:
            if _in(effective, window):
                rows.append(
                    {
                        "employee_id": p.employee_id,
                        "effective_date": effective.isoformat(),
                        "job_family": s.job_family,
                        "job_title": s.job_title,
                        "manager_employee_id": org.people[s.manager].employee_id if s.manager is not None else None,
                        "cost_center": s.cost_center,
                        "annual_target_incentive": f"{s.target_incentive}.00",
                    }
                )
    return rows


def leave_rows(org: Org, k: int) -> list[dict]:
    window = _window(HR_BATCHES, k)
    return [
        {
            "employee_id": p.employee_id,
            "start_date": leave.start.isoformat(),
            "end_date": leave.end.isoformat(),
            "leave_type": leave.leave_type,
            "paid": "true" if leave.paid else "false",
        }
        for p in org.people
        for leave in p.leaves
        if _in(leave.start, window)
    ]


def user_rows(org: Org, k: int) -> list[dict]:
    """CRM User rows of a CRM batch: everyone at the first, then new and changed users."""
    window = _window(CRM_BATCHES, k)
    d = window[1]
    rows = []
    for p in org.people:
        if p.hire > d or (k and not _changed_in(p, window)):
            continue
        state = p.state_on(d)
        rows.append(
            {
                "Id": org.user_id(p.index),
                "Name": p.full_name,
                "Email": p.email,
                "EmployeeNumber": p.employee_id,
                "ManagerId": org.user_id(state.manager) if state.manager is not None else None,
                "IsActive": "false" if p.termination and p.termination < d else "true",
            }
        )
    if k == 0:
        for o in org.orphans:
            rows.append(
                {
                    "Id": sf_id_text(USER_ID_PREFIX, o.user_number),
                    "Name": o.name,
                    "Email": o.email,
                    "EmployeeNumber": o.employee_number,
                    "ManagerId": None,
                    "IsActive": "true",
                }
            )
    return rows


# ---------------------------------------------------------------- compensation configuration


def plan_id(family: str, year: int) -> str:
    return f"{family}-{year}"


_AE_COMPONENTS = """\
  - component_id: commission
    name: Commission on own bookings, marginal tiers on year-to-date attainment
    earning_code: COMMISSION
    measure: own_credit
    basis: ytd
    weight: "0.9"
    cap_multiple_of_ti: "3.0"
    rule:
      type: marginal_tiers
      tiers:
        - {from: "0", to: "0.5", multiplier: "0.5"}     # decelerator
        - {from: "0.5", to: "1.0", multiplier: "1.0"}
        - {from: "1.0", to: "1.5", multiplier: "1.5"}   # accelerators
        - {from: "1.5", multiplier: "2.0"}
  - component_id: quarterly-bonus
    name: Quarterly bonus at 100% of quota
    earning_code: BONUS
    measure: own_credit
    basis: quarter
    rule: {type: quota_bonus, threshold: "1.0", amount: "2000"}
"""


# The SDR overlay of this plan year is held until the deal's invoice is paid
# (demo/invoices.py lands the invoices and payments).
OVERLAY_RELEASE_YEAR = 2026
OVERLAY_RELEASE = "    release: on_invoice_paid\n    partial: proportional\n    expire_after_days: 90\n"


def plan_yaml(family: str, year: int) -> str:
    head = (
        f"plan_id: {plan_id(family, year)}\n"
        f"name: {{name}}\n"
        f"effective_start: {year}-01-01\n"
        f"effective_end: {year}-12-31\n"
    )
    if family == "AE":
        return (
            head.format(name=f"Account Executive {year}")
            + f"eligible_job_families: [{AE_FAMILY}]\n"
            + "clawback_window_days: 90\n"
            + "components:\n"
            + _AE_COMPONENTS
        )
    if family == NEW_HIRE_FAMILY:
        return (
            head.format(name=f"Account Executive New Hire {year}")
            + f"eligible_job_families: [{AE_FAMILY}]\n"
            + "clawback_window_days: 90\n"
            + 'ramp: ["0.25", "0.5", "0.75"]   # quota factors of employment months 1..3\n'
            + 'draw: {type: recoverable, monthly_amount: "3000", months: 3}\n'
            + "components:\n"
            + _AE_COMPONENTS
        )
    if family == "MGR":
        return (
            head.format(name=f"Sales Manager {year}")
            + f"eligible_job_families: [{LEADERSHIP}]\n"
            + "components:\n"
            + "  - component_id: team-commission\n"
            + "    name: Commission on the team's bookings, retroactive tiers on quarterly attainment\n"
            + "    earning_code: COMMISSION\n"
            + "    measure: rollup_credit\n"
            + "    basis: quarter\n"
            + '    gate: "0.5"\n'
            + "    rule:\n"
            + "      type: retroactive_tiers\n"
            + "      tiers:\n"
            + '        - {from: "0", to: "0.75", multiplier: "0.6"}\n'
            + '        - {from: "0.75", to: "1.0", multiplier: "1.0"}\n'
            + '        - {from: "1.0", multiplier: "1.3"}\n'
        )
    text = (
        head.format(name=f"Sales Development Overlay {year}")
        + f"eligible_job_families: [{SDR_FAMILY}]\n"
        + "components:\n"
        + "  - component_id: overlay\n"
        + "    name: Overlay commission on credited bookings\n"
        + "    earning_code: COMMISSION\n"
        + "    measure: own_credit\n"
        + "    basis: period\n"
        # 2026: paid when the customer pays the invoice (docs/payment_workflow.md, Holds and releases)
        + (OVERLAY_RELEASE if year == OVERLAY_RELEASE_YEAR else "")
        + "    rule:\n"
        + "      type: flat_rate\n"
        + f'      rate: "{SDR_BASE_RATE}"\n'
    )
    if year in SPIF_WINDOWS:
        start, end = SPIF_WINDOWS[year]
        text += (
            f"  - component_id: spif-{SPIF_FAMILY.lower()}\n"
            f"    name: {SPIF_FAMILY} SPIF per unit sold\n"
            "    earning_code: SPIF\n"
            "    measure: product_units\n"
            "    basis: period\n"
            f"    filters: {{product_families: [{SPIF_FAMILY}], opportunity_types: [New Business, Existing Business - Upgrade]}}\n"
            f'    rule: {{type: spif, amount_per_unit: "{SPIF_AMOUNT_PER_UNIT}", window_start: {start}, window_end: {end}}}\n'
        )
    return text


def plan_files() -> dict[str, str]:
    return {plan_id(f, y): plan_yaml(f, y) for y in PLAN_YEARS for f in PLAN_FAMILIES}


def _year_span(p: Person, year: int) -> tuple[date, date] | None:
    lo, hi = max(date(year, 1, 1), p.hire), min(date(year, 12, 31), p.last_day)
    return (lo, hi) if lo <= hi else None


def plan_assignment_rows(org: Org) -> list[dict]:
    """One assignment per payee and plan year; two when promoted during the year.

    AEs hired during a plan year are on the new-hire plan (ramp, draw) for that year.
    """
    rows = []
    for p in org.people:
        for year in PLAN_YEARS:
            span = _year_span(p, year)
            if span is None:
                continue
            lo, hi = span
            ae = NEW_HIRE_FAMILY if p.hire.year == year else "AE"
            segments = [(lo, hi, ae if PLAN_FAMILY[p.role] == "AE" else PLAN_FAMILY[p.role])]
            if p.promoted_on is not None:
                if p.promoted_on > hi:
                    segments = [(lo, hi, ae)]
                elif p.promoted_on > lo:
                    segments = [(lo, p.promoted_on - timedelta(days=1), ae), (p.promoted_on, hi, "MGR")]
            for start, end, family in segments:
                rows.append(
                    {
                        "employee_id": p.employee_id,
                        "plan_id": plan_id(family, year),
                        "start_date": start.isoformat(),
                        "end_date": end.isoformat(),
                    }
                )
    return rows


def _reports(org: Org, manager: Person, year: int, trees: dict[date, dict[int, list[int]]]) -> list[int]:
    """Indexes of everyone below ``manager`` on the last day of their span in ``year``.

    ``trees`` caches the reporting tree (manager index -> direct reports) per day.
    """
    span = _year_span(manager, year)
    if span is None:
        return []
    on = span[1]
    if on not in trees:
        tree: dict[int, list[int]] = {}
        for q in org.people:
            state = q.state_on(on) if q.employed_on(on) else None
            if state is not None and state.manager is not None:
                tree.setdefault(state.manager, []).append(q.index)
        trees[on] = tree
    children = trees[on]
    found, stack = [], list(children.get(manager.index, ()))
    while stack:
        index = stack.pop()
        found.append(index)
        stack.extend(children.get(index, ()))
    return sorted(found)


def quota_rows(org: Org, bookings_cents: np.ndarray) -> list[dict]:
    """Annual quota per payee and plan year, in the payee's currency.

    Derived from the payee's own won bookings in the generated data (annualised
    for partial years, times a seeded 0.85-1.20 stretch, rounded to 1,000, at
    least 25,000), so attainment lands in a realistic spread around 100%. The
    bookings passed in are the potential ones (``DealTally.potential_bookings_cents``:
    the deals a rep would have won without their hidden stage and product-family
    strengths, demo/deals.py), as a quota set from a territory's potential is:
    a rep's weaknesses show as attainment below quota, their strengths above. The
    manager plan measures roll-up credit, so a manager's quota is on their own
    bookings plus those of everyone reporting to them (directly or not) at the
    end of their span in the year.
    ``bookings_cents`` is indexed [seller, plan year index, currency index].
    """
    rng = np.random.default_rng([org.seed, STREAM_QUOTA])
    fx = np.array([float(FX_LEVEL[c]) for c in CURRENCIES])
    trees: dict[date, dict[int, list[int]]] = {}
    rows = []
    for p in org.people:
        stretch = rng.uniform(0.85, 1.20, len(PLAN_YEARS))
        for y, year in enumerate(PLAN_YEARS):
            span = _year_span(p, year)
            if span is None:
                continue
            period_end = min(date(year, 12, 31), AS_OF)
            if span[0] > period_end:
                fraction = 1.0
            else:
                employed = (min(span[1], period_end) - span[0]).days + 1
                fraction = employed / ((period_end - date(year, 1, 1)).days + 1)
            sellers = [p.index, *_reports(org, p, year, trees)] if PLAN_FAMILY[p.role] == "MGR" else [p.index]
            own_usd = float((bookings_cents[sellers, y, :] / 100.0 / fx).sum())
            own = own_usd * float(FX_LEVEL[p.currency]) / max(fraction, 0.25)
            quota = max(_round_to(own * stretch[y], 1000), 25_000)
            rows.append(
                {
                    "employee_id": p.employee_id,
                    "plan_year": str(year),
                    "annual_quota": f"{quota}.00",
                    "currency": p.currency,
                    "seasonality_profile": None,
                }
            )
    return rows
