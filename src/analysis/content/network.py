"""The mention and reply network of an agency's posts and comments (NVivo's sociogram).

Nodes are accounts; an edge ``a -> b`` says that ``a`` mentioned ``b`` (``@b`` in a text) or
replied to ``b`` (a comment on ``b``'s post, or a reply to ``b``'s comment). Centralities come
from networkx. Citizens are never nodes under their names: a comment's author is its
``author_key`` (the keyed pseudonym the comments reader wrote), and a mentioned handle that is
not an agency's becomes a pseudonym (:func:`resolve_handles`). Agencies keep their ids.

The two pseudonyms of one citizen (of their account id as a comment author, of their handle
when mentioned) differ, because the comments table keeps no handle to link them by; a
citizen who commented and was mentioned is two nodes. The comments reader already replaced
the handles of citizens who commented in a file by ``[anon]``, which is not a mention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

import networkx as nx
import pandas as pd

from analysis.cleaning.privacy import pseudonymize as keyed_pseudonyms
from analysis.content.text import tokenize
from analysis.errors import InputError

#: Most accounts that mention or reply for which betweenness is computed exactly; above it,
#: from :data:`BETWEENNESS_PIVOTS` sampled sources (networkx's ``k``, Brandes & Pich 2007).
MAX_EXACT_SOURCES = 2_000
BETWEENNESS_PIVOTS = 1_000
#: Prefix of the node name of an account that is not an agency's.
ACCOUNT_PREFIX = "user-"
#: Columns of :func:`centrality_table`, in order.
CENTRALITY_COLUMNS = (
    "node",
    "kind",
    "in_degree",
    "out_degree",
    "in_weight",
    "out_weight",
    "betweenness",
    "closeness",
    "pagerank",
)


class MentionNetwork(NamedTuple):
    """A network and its centralities (:func:`centrality_table`)."""

    graph: nx.DiGraph
    centrality: pd.DataFrame


def resolve_handles(
    handles: Iterable[str],
    *,
    agency_handles: Mapping[str, str] | Iterable[str] = (),
    pseudonymize: Callable[[str], str] | None = None,
    salt: str | bytes | None = None,
) -> dict[str, str]:
    """The node name of each handle: an agency's id or handle, else a pseudonym.

    Parameters
    ----------
    handles : iterable of str
        Handles as found (with or without ``@``, any case).
    agency_handles : mapping or iterable of str
        Handles of agencies. A mapping gives each handle's agency id (the node name); a list
        keeps ``@handle``.
    pseudonymize : callable, optional
        Turns a folded handle (lower case, no ``@``) into a pseudonym, e.g. the study's own
        keyed function.
    salt : str or bytes, optional
        Key of :func:`analysis.cleaning.privacy.pseudonymize` (HMAC-SHA256, 16 hex digits),
        the function the comments reader uses for authors; give it or ``pseudonymize``.

    Returns
    -------
    dict
        Folded handle -> node name (``"@handle"`` or the agency id for agencies,
        ``"user-<pseudonym>"`` for every other account).

    Raises
    ------
    InputError
        When a handle is not an agency's and neither ``pseudonymize`` nor ``salt`` is given.
    ValueError
        When both are given.
    """
    if pseudonymize is not None and salt is not None:
        raise ValueError("give either pseudonymize or salt, not both")
    agencies = _fold_agency_handles(agency_handles)
    folded = sorted({_fold(handle) for handle in handles})
    others = [h for h in folded if h not in agencies]
    names = {h: agencies[h] for h in folded if h in agencies}
    if not others:
        return names
    if pseudonymize is None and salt is None:
        raise InputError(
            f"{len(others)} mentioned account(s) are not agencies' handles, and handles of "
            "citizens must not appear in results",
            hint="pass salt= (the study's pseudonym key) or pseudonymize=, and list the "
            "agencies' handles in agency_handles",
        )
    if salt is not None:
        key = salt.encode("utf-8") if isinstance(salt, str) else salt
        keys = keyed_pseudonyms(pd.Series(others, dtype="string"), key).tolist()
    else:
        keys = [pseudonymize(handle) for handle in others]
    return names | {h: ACCOUNT_PREFIX + str(k) for h, k in zip(others, keys, strict=True)}


def mention_network(
    table: pd.DataFrame,
    *,
    agency_handles: Mapping[str, str] | Iterable[str] = (),
    pseudonymize: Callable[[str], str] | None = None,
    salt: str | bytes | None = None,
) -> MentionNetwork:
    """The directed mention/reply network of a posts or comments table, with centralities.

    Parameters
    ----------
    table : DataFrame
        Posts (``agency_id``, ``text``; the author is the agency) or comments (the comments
        table of :mod:`analysis.io.comments`: ``agency_id``, ``post_id``, ``comment_id``,
        ``parent_id``, ``author_key``, ``is_agency``, ``text``). A table with a
        ``comment_id`` column is read as comments.
    agency_handles : mapping or iterable of str
        Handles of agencies; best a mapping handle -> agency id, so a mention of
        ``@KominfoPemalang`` is the node of agency ``kominfo-pemalang``.
    pseudonymize, salt
        For mentioned handles that are not agencies' (see :func:`resolve_handles`).

    Returns
    -------
    MentionNetwork
        ``graph``: a :class:`networkx.DiGraph`; node attribute ``kind`` (``"agency"`` or
        ``"account"``), edge attributes ``mentions``, ``replies`` and ``weight`` (their sum);
        ``graph.graph["notes"]`` lists what was left out (self-loops, comments without an
        author key, replies to comments not in the table). ``centrality``: see
        :func:`centrality_table`.

    Raises
    ------
    InputError
        When a needed column is missing, or citizens' handles would stay unpseudonymized.
    """
    is_comments = "comment_id" in table.columns
    needed = (
        ("agency_id", "post_id", "comment_id", "parent_id", "author_key", "is_agency", "text")
        if is_comments
        else ("agency_id", "text")
    )
    missing = [c for c in needed if c not in table.columns]
    if missing:
        kind = "comments" if is_comments else "posts"
        raise InputError(f"a {kind} table for the mention network lacks columns {missing}")
    agency_ids = {str(a) for a in table["agency_id"].dropna().unique()}
    authors = _authors(table, is_comments)
    mentions = [tokenize(text).mentions for text in table["text"]]
    names = resolve_handles(
        {h for found in mentions for h in found},
        agency_handles=agency_handles,
        pseudonymize=pseudonymize,
        salt=salt,
    )
    agency_nodes = agency_ids | set(_fold_agency_handles(agency_handles).values())
    edges: list[tuple[str, str, str]] = []
    notes: dict[str, int] = {}
    for author, found in zip(authors, mentions, strict=True):
        if author is None:
            continue
        edges += [(author, names[h], "mentions") for h in found]
    if is_comments:
        edges += _reply_edges(table, authors, notes)
    unknown = sum(a is None for a in authors)
    if unknown:
        notes["comments without an author key (left out)"] = unknown
    graph = _build_graph(edges, agency_nodes, notes)
    return MentionNetwork(graph, centrality_table(graph))


def centrality_table(graph: nx.DiGraph, *, seed: int = 0) -> pd.DataFrame:
    """Degree, strength, betweenness, closeness and PageRank of every node.

    Parameters
    ----------
    graph : networkx.DiGraph
        With edge attribute ``weight`` and node attribute ``kind`` (as
        :func:`mention_network` builds it).
    seed : int
        Seed of the sampled betweenness of a network in which more than
        :data:`MAX_EXACT_SOURCES` accounts mention or reply (``attrs["notes"]`` says so).

    Returns
    -------
    pandas.DataFrame
        One row per node, highest PageRank first (ties by node):

        node : str
        kind : str
            ``"agency"`` or ``"account"``.
        in_degree, out_degree : int
            Distinct accounts that mention or reply to the node / that it mentions or replies
            to.
        in_weight, out_weight : int
            Mentions and replies received / made.
        betweenness : float
            ``networkx.betweenness_centrality`` (shortest paths by hops, normalized by
            ``(n - 1)(n - 2)`` for a directed graph). Computed from the accounts that mention
            or reply only (``betweenness_centrality_subset``; the others start no path, so the
            value is the same), which keeps a star of one agency and thousands of mentioned
            accounts fast.
        closeness : float
            ``networkx.closeness_centrality`` (by incoming distance, Wasserman-Faust scaled
            for unreachable nodes).
        pagerank : float
            ``networkx.pagerank`` on the weights (damping 0.85).
    """
    if graph.number_of_nodes() == 0:
        return pd.DataFrame({c: pd.Series(dtype=_CENTRALITY_DTYPES[c]) for c in _CENTRALITY_DTYPES})
    betweenness, notes = _betweenness(graph, seed)
    closeness = nx.closeness_centrality(graph)
    pagerank = nx.pagerank(graph, weight="weight")
    rows = [
        {
            "node": node,
            "kind": graph.nodes[node].get("kind", "account"),
            "in_degree": graph.in_degree(node),
            "out_degree": graph.out_degree(node),
            "in_weight": int(graph.in_degree(node, weight="weight")),
            "out_weight": int(graph.out_degree(node, weight="weight")),
            "betweenness": betweenness[node],
            "closeness": closeness[node],
            "pagerank": pagerank[node],
        }
        for node in graph.nodes
    ]
    frame = pd.DataFrame(rows, columns=list(CENTRALITY_COLUMNS)).astype(_CENTRALITY_DTYPES)
    frame = frame.sort_values(["pagerank", "node"], ascending=[False, True], ignore_index=True)
    frame.attrs["notes"] = notes
    return frame


def _betweenness(graph: nx.DiGraph, seed: int) -> tuple[dict, list[str]]:
    """Normalized directed betweenness: exact from the nodes with out-edges, or sampled."""
    sources = [node for node in graph if graph.out_degree(node) > 0]
    n = graph.number_of_nodes()
    if len(sources) > MAX_EXACT_SOURCES:
        k = min(n, BETWEENNESS_PIVOTS)
        note = f"betweenness estimated from {k} sampled source nodes (seed {seed})"
        return nx.betweenness_centrality(graph, k=k, seed=seed), [note]
    raw = nx.betweenness_centrality_subset(graph, sources, list(graph), normalized=False)
    scale = 1 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    return {node: value * scale for node, value in raw.items()}, []


_CENTRALITY_DTYPES = {
    "node": "string",
    "kind": "string",
    "in_degree": "int64",
    "out_degree": "int64",
    "in_weight": "int64",
    "out_weight": "int64",
    "betweenness": "float64",
    "closeness": "float64",
    "pagerank": "float64",
}


def _authors(table: pd.DataFrame, is_comments: bool) -> list[str | None]:
    """Node name of each row's author: the agency id, ``user-<author_key>``, or None."""
    agencies = table["agency_id"].astype("string")
    if not is_comments:
        return [None if pd.isna(a) else str(a) for a in agencies]
    keys = table["author_key"].astype("string").fillna("").str.strip()
    own = table["is_agency"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return [
        str(agency) if mine else (ACCOUNT_PREFIX + key if key else None)
        for agency, key, mine in zip(agencies, keys, own, strict=True)
    ]


def _reply_edges(table: pd.DataFrame, authors, notes: dict[str, int]):
    """(replier, replied-to, "replies") for every comment whose target is known."""
    parents = table["parent_id"].astype("string").fillna("").str.strip()
    keys = list(
        zip(table["post_id"].astype("string"), table["comment_id"].astype("string"), strict=True)
    )
    author_of = dict(zip(keys, authors, strict=True))
    edges = []
    unknown_parent = 0
    rows = zip(table["agency_id"].astype("string"), keys, parents, authors, strict=True)
    for agency, (post, _), parent, author in rows:
        if author is None:
            continue
        if not parent or parent == post:
            edges.append((author, str(agency), "replies"))
        elif (post, parent) in author_of and author_of[(post, parent)] is not None:
            edges.append((author, author_of[(post, parent)], "replies"))
        else:
            unknown_parent += 1
    if unknown_parent:
        notes["replies to a comment not in the table (left out)"] = unknown_parent
    return edges


def _build_graph(edges, agency_nodes: set[str], notes: dict[str, int]) -> nx.DiGraph:
    graph = nx.DiGraph()
    loops = 0
    for source, target, kind in edges:
        if source == target:
            loops += 1
            continue
        for node in (source, target):
            if node not in graph:
                graph.add_node(node, kind="agency" if node in agency_nodes else "account")
        if not graph.has_edge(source, target):
            graph.add_edge(source, target, mentions=0, replies=0, weight=0)
        data = graph.edges[source, target]
        data[kind] += 1
        data["weight"] += 1
    if loops:
        notes["self-mentions and replies to oneself (left out)"] = loops
    graph.graph["notes"] = dict(notes)
    return graph


def _fold(handle: str) -> str:
    return str(handle).strip().removeprefix("@").casefold()


def _fold_agency_handles(agency_handles) -> dict[str, str]:
    """Folded agency handle -> node name (its agency id, or ``@handle``)."""
    if isinstance(agency_handles, str):
        agency_handles = [agency_handles]
    if isinstance(agency_handles, Mapping):
        return {_fold(h): str(agency) for h, agency in agency_handles.items()}
    return {_fold(h): "@" + _fold(h) for h in agency_handles}
