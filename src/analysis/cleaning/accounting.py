"""Sample accounting: received -> excluded by reason -> analysed, and checks that it adds up."""

from __future__ import annotations

import pandas as pd

from analysis.cleaning.screening import REASONS, TOOL_REASONS


def sample_flow(
    received: pd.DataFrame,
    exclusions: pd.DataFrame,
    responses: pd.DataFrame,
    agency_id: str | None = None,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The sample flow, like a CONSORT diagram, for one agency or the whole study.

    Parameters
    ----------
    received : DataFrame
        ``source_file``, ``agency_id``, ``n`` (rows received per file and agency; rows whose
        agency is unknown have ``agency_id == "(unknown)"``).
    exclusions : DataFrame
        The exclusion ledger.
    responses : DataFrame
        Analysed respondents.
    agency_id : str, optional
        Restrict to one agency; the whole study (all rows, unknown agency included) if None.
    flags : DataFrame, optional
        Screening flags that did not exclude (``source_file``, ``source_row``, ``reason``).

    Returns
    -------
    pandas.DataFrame
        Columns ``step`` (``received``, ``excluded``, ``analysed``, ``flagged``), ``reason``
        (a reason code for excluded and flagged rows, ``""`` otherwise) and ``n``, in flow
        order. Every reason of :data:`analysis.cleaning.screening.REASONS` appears among the
        excluded, with 0 when it excluded nobody, except the reasons only some export tools
        give (:data:`~analysis.cleaning.screening.TOOL_REASONS`: preview, spam, unfinished),
        which appear when they excluded someone; a ``flagged`` row follows ``analysed`` for
        each reason that flagged analysed respondents (they are counted in ``analysed``).

    Raises
    ------
    ValueError
        When received minus excluded does not equal analysed (a row was lost).
    """
    if agency_id is not None:
        received = received[received["agency_id"] == agency_id]
        exclusions = exclusions[exclusions["agency_id"] == agency_id]
        responses = responses[responses["agency_id"] == agency_id]
    counts = exclusions["reason"].value_counts()
    rows = [("received", "", int(received["n"].sum()))]
    rows += [("excluded", reason, int(counts.get(reason, 0))) for reason in shown_reasons(counts)]
    rows.append(("analysed", "", len(responses)))
    if flags is not None and len(flags):
        analysed = responses.set_index(["source_file", "source_row"]).index
        kept = flags[flags.set_index(["source_file", "source_row"]).index.isin(analysed)]
        flagged = kept["reason"].value_counts()
        rows += [("flagged", r, int(flagged[r])) for r in REASONS if flagged.get(r, 0)]
    flow = pd.DataFrame(rows, columns=["step", "reason", "n"])
    excluded = int(flow.loc[flow["step"] == "excluded", "n"].sum())
    flow.attrs.update(keys=("step", "reason"), estimate="n")
    if rows[0][2] - excluded != len(responses):
        raise ValueError(
            f"sample flow does not add up: received {rows[0][2]} - excluded "
            f"{excluded} != analysed {len(responses)}"
        )
    return flow


def flow_by_agency(
    received: pd.DataFrame, exclusions: pd.DataFrame, responses: pd.DataFrame
) -> pd.DataFrame:
    """The sample flow of every agency side by side.

    Returns
    -------
    pandas.DataFrame
        One row per agency id (plus ``(unknown)`` when some rows named no agency of the
        study): ``agency_id``, ``received``, one column per reason of
        :data:`analysis.screening.REASONS` (rows excluded for it; the tool reasons only when
        they excluded someone, see :func:`sample_flow`), ``analysed``.
    """
    agencies = received.groupby("agency_id")["n"].sum()
    shown = shown_reasons(exclusions["reason"].value_counts())
    reasons = (
        exclusions.assign(agency_id=exclusions["agency_id"].fillna("(unknown)"))
        .groupby(["agency_id", "reason"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=agencies.index, columns=shown, fill_value=0)
    )
    analysed = responses.groupby("agency_id").size().reindex(agencies.index, fill_value=0)
    table = pd.concat([agencies.rename("received"), reasons, analysed.rename("analysed")], axis=1)
    return table.fillna(0).astype(int).reset_index()


def shown_reasons(counts: pd.Series) -> list[str]:
    """Reasons a sample flow lists, in screening order: every reason, except tool reasons
    (:data:`~analysis.cleaning.screening.TOOL_REASONS`) that ``counts`` (by reason) lacks."""
    return [r for r in REASONS if r not in TOOL_REASONS or counts.get(r, 0)]
