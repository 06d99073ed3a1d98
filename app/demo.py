"""A realistic demo data set, written through the services so every rule applies.

`python -m app seed-demo` fills an empty store with companies' job postings,
candidates and applications (some moved along the status path, some jobs closed),
handles the queued background work (match scores, per-candidate recommendations) and
runs one recommendation pass, so every endpoint answers with data at once.

The same seed gives the same content (titles, skills, names, choices); ids and
timestamps come from the services as for any client. A store that already holds
candidates or jobs is refused unless `force` is given, which adds another data set
next to the existing one (use another seed to vary it).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Never

from tqdm import tqdm

from app.errors import ConflictError
from app.models.applications import (
    NEXT_STATUS,
    ApplicationCreate,
    ApplicationStatusChange,
)
from app.models.common import utc_now
from app.models.jobs import EmploymentType, Job, JobCreate, JobUpdate
from app.models.users import User, UserCreate
from app.runtime import Runtime

# Aliased: `jobs` and `applications` are also the counts seed_demo takes.
from app.services import applications as application_service
from app.services import jobs as job_service
from app.services import users as user_service
from app.storage.containers import JOBS, RECOMMENDATIONS, USERS
from app.tasks.queue import LocalQueue
from app.tasks.worker import drain, run_pass


class StoreNotEmptyError(Exception):
    """The store already holds data and `force` was not given."""


@dataclass(frozen=True, slots=True)
class DemoStats:
    companies: int
    jobs: int
    closed_jobs: int
    candidates: int
    applications: int
    status_changes: int
    # None when the queue is Azure's: the Function App's trigger handles the messages.
    messages_handled: int | None
    recommendations: int


@dataclass(frozen=True, slots=True)
class _Family:
    """A kind of role: its titles, the skills it asks for and its salary band (USD)."""

    titles: tuple[str, ...]
    core: tuple[str, ...]
    extra: tuple[str, ...]
    base_salary: int


_FAMILIES: tuple[_Family, ...] = (
    _Family(
        ("Backend Engineer", "Software Engineer, Backend", "Platform Engineer"),
        ("Python", "Go", "Java", "PostgreSQL", "REST APIs"),
        ("Kubernetes", "Docker", "Redis", "Kafka", "gRPC", "AWS", "Microservices"),
        125_000,
    ),
    _Family(
        ("Frontend Engineer", "Software Engineer, Web", "UI Engineer"),
        ("TypeScript", "React", "CSS", "HTML"),
        ("Next.js", "GraphQL", "Vue", "Accessibility", "Jest", "Storybook"),
        115_000,
    ),
    _Family(
        ("Full Stack Engineer", "Product Engineer"),
        ("TypeScript", "Node.js", "React", "PostgreSQL"),
        ("Python", "Docker", "AWS", "GraphQL", "Redis", "Ruby on Rails"),
        120_000,
    ),
    _Family(
        ("Data Engineer", "Analytics Engineer"),
        ("Python", "SQL", "Spark", "Airflow"),
        ("dbt", "Snowflake", "Kafka", "BigQuery", "Databricks", "AWS"),
        125_000,
    ),
    _Family(
        ("Machine Learning Engineer", "Data Scientist", "Applied Scientist"),
        ("Python", "Machine Learning", "PyTorch", "SQL"),
        ("TensorFlow", "scikit-learn", "NLP", "MLOps", "Pandas", "Statistics"),
        140_000,
    ),
    _Family(
        ("Site Reliability Engineer", "DevOps Engineer", "Cloud Engineer"),
        ("Kubernetes", "Terraform", "Linux", "CI/CD"),
        ("AWS", "Azure", "GCP", "Prometheus", "Go", "Python", "Ansible"),
        130_000,
    ),
    _Family(
        ("iOS Engineer", "Android Engineer", "Mobile Engineer"),
        ("Swift", "Kotlin", "Mobile Development"),
        ("React Native", "Objective-C", "Java", "Firebase", "GraphQL"),
        120_000,
    ),
    _Family(
        ("Data Analyst", "Business Intelligence Analyst"),
        ("SQL", "Excel", "Tableau"),
        ("Power BI", "Python", "Statistics", "Looker", "dbt"),
        85_000,
    ),
    _Family(
        ("QA Engineer", "Software Engineer in Test"),
        ("Test Automation", "Python", "Selenium"),
        ("Cypress", "Playwright", "CI/CD", "Java", "JavaScript"),
        95_000,
    ),
    _Family(
        ("Security Engineer", "Application Security Engineer"),
        ("Security", "Linux", "Python"),
        ("AWS", "Penetration Testing", "Kubernetes", "OWASP", "Go"),
        140_000,
    ),
)

# Seniority: title prefix, experience asked for (min, max) and a salary factor.
_LEVELS: tuple[tuple[str, float, float | None, float], ...] = (
    ("Junior ", 0, 2, 0.65),
    ("", 2, 5, 1.0),
    ("Senior ", 5, 10, 1.3),
    ("Staff ", 8, None, 1.6),
)
_LEVEL_WEIGHTS = (2, 4, 3, 1)

# City, currency and a salary factor against the US band.
_LOCATIONS: tuple[tuple[str, str, float], ...] = (
    ("San Francisco, CA", "USD", 1.2),
    ("New York, NY", "USD", 1.15),
    ("Seattle, WA", "USD", 1.1),
    ("Austin, TX", "USD", 0.95),
    ("Boston, MA", "USD", 1.05),
    ("Chicago, IL", "USD", 0.95),
    ("Denver, CO", "USD", 0.9),
    ("Toronto, Canada", "CAD", 1.05),
    ("London, UK", "GBP", 0.6),
    ("Dublin, Ireland", "EUR", 0.65),
    ("Berlin, Germany", "EUR", 0.6),
    ("Amsterdam, Netherlands", "EUR", 0.62),
    ("Paris, France", "EUR", 0.55),
    ("Madrid, Spain", "EUR", 0.45),
)
# Share of postings that are remote, from public job-board figures of the 2020s.
_REMOTE_SHARE = 0.25

_COMPANY_STEMS = (
    "Northwind", "Bluepeak", "Copperline", "Brightwave", "Ironbark", "Lumen",
    "Silverfern", "Quantic", "Harbor", "Evergreen", "Redwood", "Skyline",
    "Polaris", "Meridian", "Tidewater", "Granite", "Cobalt", "Aurora", "Juniper",
    "Kestrel", "Foxglove", "Summit", "Orchard", "Beacon", "Atlas", "Vantage",
    "Driftwood", "Pinecrest", "Sterling", "Halcyon",
)  # fmt: skip
_COMPANY_KINDS = (
    "Labs", "Systems", "Health", "Analytics", "Logistics", "Software", "Robotics",
    "Financial", "Energy", "Media", "Networks", "Bio", "Retail", "Security",
)  # fmt: skip
_FIRST_NAMES = (
    "Ada", "Amara", "Ana", "Arjun", "Ben", "Chen", "Chloe", "Daniel", "Diego",
    "Elena", "Emeka", "Fatima", "Hana", "Ivan", "Jamal", "Jonas", "Julia", "Kenji",
    "Laila", "Lucas", "Maya", "Mei", "Mohammed", "Nadia", "Noah", "Olga", "Omar",
    "Priya", "Rafael", "Sara", "Sofia", "Tariq", "Tomas", "Yara", "Zoe", "Leon",
)  # fmt: skip
_LAST_NAMES = (
    "Adeyemi", "Andersen", "Costa", "Dubois", "Garcia", "Haddad", "Ivanova", "Jensen",
    "Kim", "Kowalski", "Lee", "Martin", "Müller", "Nakamura", "Nguyen", "Novak",
    "O'Brien", "Patel", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith",
    "Tanaka", "Walker", "Wang", "Yilmaz", "Zhang", "Okafor",
)  # fmt: skip

# Every company name is a distinct stem and kind pair.
MAX_COMPANIES = len(_COMPANY_STEMS) * len(_COMPANY_KINDS)

# Where an application ends up, with weights: most stay early in the funnel.
_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("submitted", 40),
    ("under_review", 20),
    ("interview", 10),
    ("offered", 4),
    ("hired", 3),
    ("rejected", 17),
    ("withdrawn", 6),
)
# Draws per requested application before giving up on finding a new pair.
_MAX_DRAWS = 5
# Share of postings closed after applications came in.
_CLOSED_SHARE = 0.08


def _company_names(rng: random.Random, count: int) -> list[str]:
    pairs = [(s, k) for s in _COMPANY_STEMS for k in _COMPANY_KINDS]
    return [f"{stem} {kind}" for stem, kind in rng.sample(pairs, count)]


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def _job_data(rng: random.Random, company: str) -> JobCreate:
    family = rng.choice(_FAMILIES)
    prefix, min_years, max_years, level_factor = rng.choices(
        _LEVELS, weights=_LEVEL_WEIGHTS
    )[0]
    title = prefix + rng.choice(family.titles)
    skills = [*rng.sample(family.core, k=min(3, len(family.core)))]
    skills += rng.sample(family.extra, k=rng.randint(1, 3))
    remote = rng.random() < _REMOTE_SHARE
    city, currency, city_factor = rng.choice(_LOCATIONS)
    # Remote postings still name a hiring base half of the time.
    location = None if remote and rng.random() < 0.5 else city
    midpoint = family.base_salary * level_factor * city_factor
    employment: EmploymentType = "full_time"
    if prefix == "Junior " and rng.random() < 0.2:
        employment = "internship"
    elif rng.random() < 0.1:
        employment = "contract"
    return JobCreate(
        company_id=_slug(company),
        company_name=company,
        title=title,
        description=(
            f"{company} is hiring a {title} to join a product team."
            f" You will work with {', '.join(skills[:-1])} and {skills[-1]}."
        ),
        skills=skills,
        location=location,
        remote=remote,
        min_experience=min_years,
        max_experience=max_years,
        employment_type=employment,
        salary_min=int(round(midpoint * 0.85, -3)),
        salary_max=int(round(midpoint * 1.15, -3)),
        salary_currency=currency,
    )


def _user_data(rng: random.Random, number: int) -> UserCreate:
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    family = rng.choice(_FAMILIES)
    skills = rng.sample(family.core, k=rng.randint(2, len(family.core)))
    skills += rng.sample(family.extra, k=rng.randint(1, 4))
    if rng.random() < 0.3:
        skills += rng.sample(rng.choice(_FAMILIES).extra, k=1)
    # Experience skews junior to mid, as on most job boards.
    years = min(round(rng.expovariate(1 / 6), 1), 35.0)
    local = "".join(c for c in f"{first}.{last}".lower() if c.isascii() and c != "'")
    return UserCreate(
        name=f"{first} {last}",
        email=f"{local}.{number}@example.com",
        skills=skills,
        experience_years=years,
        location=None if rng.random() < 0.05 else rng.choice(_LOCATIONS)[0],
        summary=f"{rng.choice(family.titles)} with {years:g} years of experience.",
    )


def _pick_job(rng: random.Random, user: User, posted: Sequence[Job]) -> Job:
    """A job the candidate plausibly applies to: sharing a skill, most of the time."""
    mine = {skill.casefold() for skill in user.skills}
    for _ in range(20):
        job = rng.choice(posted)
        if mine & {skill.casefold() for skill in job.skills} or rng.random() < 0.1:
            return job
    return rng.choice(posted)


def _path_to(outcome: str) -> list[str]:
    """The statuses an application passes through after `submitted` to `outcome`."""
    if outcome in ("rejected", "withdrawn"):
        return [outcome]
    path: list[str] = []
    status = "submitted"
    while status != outcome:
        status = NEXT_STATUS[status]
        path.append(status)
    return path


def _bar(description: str, total: int, progress: bool) -> tqdm[Never]:
    # disable=None: tqdm shows the bar on a terminal only, so logs and CI stay clean.
    return tqdm(total=total, desc=description, disable=None if progress else True)


async def _store_has_data(runtime: Runtime) -> bool:
    store = runtime.store
    return await store.count(USERS) > 0 or await store.count(JOBS) > 0


async def seed_demo(
    runtime: Runtime,
    *,
    companies: int = 40,
    jobs: int = 300,
    candidates: int = 500,
    applications: int = 800,
    seed: int = 2024,
    force: bool = False,
    progress: bool = True,
) -> DemoStats:
    """Fill the store with a demo data set through the services; see the module doc."""
    if not force and await _store_has_data(runtime):
        raise StoreNotEmptyError(
            "The store already holds candidates or jobs;"
            " use --force to add a demo data set next to them."
        )
    if not 1 <= companies <= MAX_COMPANIES:
        raise ValueError(f"companies must be between 1 and {MAX_COMPANIES}")
    rng = random.Random(seed)
    store, queue = runtime.store, runtime.queue
    names = _company_names(rng, companies)

    posted: list[Job] = []
    with _bar("jobs", jobs, progress) as bar:
        for _ in range(jobs):
            posting = _job_data(rng, rng.choice(names))
            posted.append(await job_service.create_job(store, posting))
            bar.update()

    people: list[User] = []
    with _bar("candidates", candidates, progress) as bar:
        for number in range(candidates):
            profile = _user_data(rng, number)
            people.append(await user_service.create_user(store, queue, profile))
            bar.update()

    submitted = 0
    changes = 0
    outcome_names = [name for name, _ in _OUTCOMES]
    outcome_weights = [weight for _, weight in _OUTCOMES]
    # A drawn pair that already applied is drawn again; the cap ends the loop when
    # there are fewer pairs than asked for.
    attempts = 0
    with _bar("applications", applications, progress) as bar:
        while (
            posted
            and people
            and submitted < applications
            and attempts < applications * _MAX_DRAWS
        ):
            attempts += 1
            user = rng.choice(people)
            job = _pick_job(rng, user, posted)
            try:
                application = await application_service.submit_application(
                    store,
                    queue,
                    ApplicationCreate(user_id=user.user_id, job_id=job.job_id),
                )
            except ConflictError:
                continue  # this candidate already applied to this job
            submitted += 1
            bar.update()
            outcome = rng.choices(outcome_names, weights=outcome_weights)[0]
            for status in _path_to(outcome):
                interview = utc_now() + timedelta(days=rng.randint(2, 21))
                await application_service.change_status(
                    store,
                    user_id=user.user_id,
                    application_id=application.application_id,
                    change=ApplicationStatusChange.model_validate(
                        {
                            "status": status,
                            "interview_date": (
                                interview if status == "interview" else None
                            ),
                        }
                    ),
                )
                changes += 1

    closed = rng.sample(posted, k=round(len(posted) * _CLOSED_SHARE))
    for job in closed:
        await job_service.update_job(
            store, job.job_id, JobUpdate.model_validate({"status": "closed"})
        )

    # Locally the messages wait in the durable queue for a worker; handle them now so
    # match scores are there. In Azure the Function App's trigger handles them.
    handled = await drain(queue, runtime) if isinstance(queue, LocalQueue) else None
    await run_pass(runtime)

    return DemoStats(
        companies=len({job.company_id for job in posted}),
        jobs=len(posted),
        closed_jobs=len(closed),
        candidates=len(people),
        applications=submitted,
        status_changes=changes,
        messages_handled=handled,
        recommendations=await store.count(RECOMMENDATIONS),
    )
