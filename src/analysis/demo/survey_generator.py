"""Synthetic Google Forms survey for the demo study, with known effects and realistic mess.

The data-generating model (all respondents of agency *a*)::

    smu   = mu_smu[a]  + z1                                   (social media use, latent)
    resp  = mu_resp[a] + z2                                   (responsiveness, latent)
    pu    = mu_pu[a]   + 0.5 (smu - mu_smu[a]) + 0.866 z3     (perceived usefulness)
    trust = mu_tr[a]   + 0.3 (smu - mu_smu[a]) + 0.4 (resp - mu_resp[a]) + 0.866 z4

with z ~ N(0, 1) independent. Each item is ``0.8 * latent + 0.6 * noise`` cut at the thresholds
``THRESHOLDS`` into a 1-5 answer; reverse-keyed items are written mirrored (6 - answer). Age is
uniform 18-65 and has no effect. The latent slopes are :data:`LATENT_EFFECTS`; the slopes of the
observed mean scores (attenuated by measurement error and coarse answers) are computed by
:func:`population_estimands` from a large clean sample of the same model.

Mess injected, each respondent at most one kind (counts recorded in the manifest):
non-consent, duplicate resubmission, speeder, failed attention check, straight-lining, too many
missing answers; plus label variants (case, spacing), a few skipped items, and direct identifiers
(name, email, phone in +62/08 forms, and a phone number typed into the free-text suggestion).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import Study

LATENT_EFFECTS = {"pu~smu": 0.5, "trust~smu": 0.3, "trust~resp": 0.4}
THRESHOLDS = np.array([-1.6, -0.6, 0.4, 1.4])
LOADING = 0.8
MESS_RATES = {
    "consent": 0.02,
    "duplicate": 0.02,
    "speeder": 0.03,
    "attention_check": 0.02,
    "straightlining": 0.03,
    "missing": 0.015,
}
CONSENT_YES = "Ya, saya bersedia"
CONSENT_NO = "Tidak bersedia"
FIRST_NAMES = [
    "Ayu",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fajar",
    "Gita",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Oktavia",
    "Putu",
    "Rina",
    "Sari",
    "Teguh",
    "Wahyu",
    "Yuni",
    "Zainal",
]
LAST_NAMES = [
    "Pratama",
    "Saputra",
    "Wijaya",
    "Lestari",
    "Hidayat",
    "Nugroho",
    "Santoso",
    "Kurniawan",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Wibowo",
    "Harahap",
    "Setiawan",
]
SUGGESTIONS = [
    "",
    "",
    "",
    "Semoga informasinya lebih sering diperbarui.",
    "Admin mohon lebih cepat membalas komentar.",
    "Sudah baik, pertahankan.",
    "Tolong jadwal layanan diumumkan lebih awal.",
]


def agency_profiles(study: Study, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each agency's latent means and sample size.

    Returns
    -------
    pandas.DataFrame
        Index ``agency_id``; columns ``mu_smu``, ``mu_resp``, ``mu_pu``, ``mu_trust`` (latent
        means), ``n`` (clean respondents, 150-400) and ``serial_base`` (keeps made-up email
        addresses unique across agencies).
    """
    ids = [a.id for a in study.agencies]
    k = len(ids)
    return pd.DataFrame(
        {
            "mu_smu": rng.normal(0, 0.4, k),
            "mu_resp": rng.normal(0, 0.4, k),
            "mu_pu": rng.normal(0.2, 0.3, k),
            "mu_trust": rng.normal(0.1, 0.3, k),
            "n": rng.integers(150, 401, k),
            "serial_base": 1000 * np.arange(1, k + 1),
        },
        index=pd.Index(ids, name="agency_id"),
    )


def simulate_latent(profile: pd.Series, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw ``n`` respondents' latent construct values for one agency (see module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``smu``, ``resp``, ``pu``, ``trust`` (latent) and ``age`` (years).
    """
    z = rng.standard_normal((n, 4))
    smu_c, resp_c = z[:, 0], z[:, 1]
    return pd.DataFrame(
        {
            "smu": profile.mu_smu + smu_c,
            "resp": profile.mu_resp + resp_c,
            "pu": profile.mu_pu + LATENT_EFFECTS["pu~smu"] * smu_c + 0.866 * z[:, 2],
            "trust": profile.mu_trust
            + LATENT_EFFECTS["trust~smu"] * smu_c
            + LATENT_EFFECTS["trust~resp"] * resp_c
            + 0.866 * z[:, 3],
            "age": rng.integers(18, 66, n),
        }
    )


def answer_codes(study: Study, latent: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Turn latent values into 1-5 answer codes per item, as written (reverse items mirrored).

    Returns
    -------
    pandas.DataFrame
        One int column per item id, values 1..5.
    """
    codes = {}
    for construct in study.constructs:
        for item in construct.items:
            noise = rng.standard_normal(len(latent))
            signal = LOADING * latent[construct.id].to_numpy() + 0.6 * noise
            code = np.searchsorted(THRESHOLDS, signal) + 1
            codes[item.id] = 6 - code if item.reverse else code
    return pd.DataFrame(codes)


def population_estimands(
    study: Study, profile: pd.Series, n: int = 200_000, seed: int = 1
) -> dict[str, float]:
    """Slopes of the observed mean scores in a large clean sample of one agency.

    This is the ground truth that each hypothesis' OLS estimate targets: the same model as the
    demo data, scored as the cleaning step scores it (reverse items mirrored back, item mean),
    fitted by least squares with the hypothesis' predictors and controls.

    Returns
    -------
    dict
        Hypothesis id -> slope of its first predictor (``ols`` hypotheses), or the indirect
        effect a * b of its mediator (``mediation`` with one mediator).
    """
    rng = np.random.default_rng(seed)
    latent = simulate_latent(profile, n, rng)
    codes = answer_codes(study, latent, rng)
    scores = pd.DataFrame({"age": latent["age"].astype(float)})
    for construct in study.constructs:
        items = [(6 - codes[i.id]) if i.reverse else codes[i.id] for i in construct.items]
        scores[construct.id] = np.mean(items, axis=0)
    truth = {}
    for hyp in study.hypotheses:
        if hyp.family == "ols":
            truth[hyp.id] = _slope(scores, hyp.outcome, hyp.predictors + hyp.controls)
        elif hyp.family == "mediation" and len(hyp.mediators) == 1:
            x, m = hyp.predictors[0], hyp.mediators[0]
            a = _slope(scores, m, [x, *hyp.controls])
            b = _slope(scores, hyp.outcome, [m, x, *hyp.controls])
            truth[hyp.id] = a * b
    return truth


def _slope(scores: pd.DataFrame, outcome: str, predictors: list[str]) -> float:
    """Least-squares slope of the first of ``predictors`` (with an intercept)."""
    design = np.column_stack([np.ones(len(scores))] + [scores[v] for v in predictors])
    beta, *_ = np.linalg.lstsq(design, scores[outcome].to_numpy(), rcond=None)
    return float(beta[1])


def clean_rows(
    study: Study, agency_id: str, profile: pd.Series, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw ``n`` well-behaved respondents of one agency with pairwise different answers.

    Returns
    -------
    pandas.DataFrame
        One code column per item id, plus ``agency_id``, ``age``, ``gender``, ``duration``
        (seconds), ``name``, ``email``, ``phone``, ``suggestion`` and ``mess`` (``""``).
    """
    while True:
        latent = simulate_latent(profile, n, rng)
        rows = answer_codes(study, latent, rng)
        if not rows.duplicated().any():
            break
    rows["agency_id"] = agency_id
    rows["age"] = latent["age"].to_numpy()
    rows["gender"] = rng.choice(["Perempuan", "Laki-laki"], n)
    rows["duration"] = rng.integers(150, 900, n)
    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    serial = rng.permutation(np.arange(n)) + int(profile.serial_base)
    rows["name"] = [f"{f} {s}" for f, s in zip(first, last, strict=True)]
    rows["email"] = [
        f"{f.lower()}.{s.lower()}{k}@contoh.id" for f, s, k in zip(first, last, serial, strict=True)
    ]
    rows["phone"] = [_phone(rng) for _ in range(n)]
    rows["suggestion"] = rng.choice(SUGGESTIONS, n)
    rows["mess"] = ""
    return rows


def _phone(rng: np.random.Generator) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, 8))
    prefix = rng.choice(["0812", "0813", "0857", "0878", "+62 812", "+62812"])
    return f"{prefix}-{digits[:4]}-{digits[4:]}" if rng.random() < 0.5 else f"{prefix}{digits}"


def mess_counts(n_clean: int) -> dict[str, int]:
    """How many respondents of each messy kind an agency with ``n_clean`` respondents gets."""
    return {kind: max(1, int(round(rate * n_clean))) for kind, rate in MESS_RATES.items()}


def agency_rows(
    study: Study, agency_id: str, profile: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    """All raw respondents of one agency: clean ones plus injected messy ones.

    Messy respondents are fresh draws (so that, say, an attention-check failure is not also a
    copy of someone's answers), except duplicates, which resubmit a clean respondent's answers.

    Returns
    -------
    pandas.DataFrame
        As :func:`clean_rows`, plus ``submitted`` (local time); ``mess`` names the injected
        kind (``""`` for clean rows).
    """
    item_ids = [item.id for c in study.constructs for item in c.items]
    n = int(profile.n)
    counts = mess_counts(n)
    fresh_total = n + sum(v for k, v in counts.items() if k != "duplicate")
    rows = clean_rows(study, agency_id, profile, fresh_total, rng)
    rows.loc[n:, "age"] = rng.choice(np.arange(18, 66), fresh_total - n, replace=False)
    kinds = [k for k in counts if k != "duplicate" for _ in range(counts[k])]
    rows.loc[n:, "mess"] = kinds
    _apply_mess(rows, item_ids, rng)
    start = pd.Timestamp("2026-09-01 07:00")
    rows["submitted"] = start + pd.to_timedelta(rng.integers(0, 60 * 86400, fresh_total), "s")
    duplicates = rows.iloc[rng.choice(n, counts["duplicate"], replace=False)].copy()
    duplicates["mess"] = "duplicate"
    duplicates["submitted"] += pd.to_timedelta(rng.integers(120, 900, len(duplicates)), "s")
    return pd.concat([rows, duplicates], ignore_index=True)


def _apply_mess(rows: pd.DataFrame, item_ids: list[str], rng: np.random.Generator) -> None:
    speeder = rows["mess"] == "speeder"
    rows.loc[speeder, "duration"] = rng.integers(20, 55, speeder.sum())
    rows.loc[speeder, item_ids] = rng.integers(1, 6, (speeder.sum(), len(item_ids)))
    flat = rows["mess"] == "straightlining"
    values = rng.integers(1, 6, (flat.sum(), 1))
    rows.loc[flat, item_ids] = np.repeat(values, len(item_ids), axis=1)
    missing = rows["mess"] == "missing"
    blank = rng.random((missing.sum(), len(item_ids))) < 0.8
    block = rows.loc[missing, item_ids].astype("Float64").mask(blank)
    rows[item_ids] = rows[item_ids].astype("Float64")
    rows.loc[missing, item_ids] = block
