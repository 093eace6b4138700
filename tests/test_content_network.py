"""The mention/reply network on a hand-drawn thread, against networkx's own functions."""

import networkx as nx
import pandas as pd
import pytest

from analysis.content.network import CENTRALITY_COLUMNS, centrality_table, mention_network
from analysis.errors import InputError

AGENCY = "kominfo-pemalang"
HANDLES = {"@KominfoPemalang": AGENCY, "DinkesPemalang": "dinkes-pemalang"}


def _citizen(handle: str) -> str:
    """The test's pseudonym of a mentioned handle (the function passed as pseudonymize)."""
    return "h" + str(len(handle))


@pytest.fixture
def thread() -> pd.DataFrame:
    """Two posts of one agency; k1, k2, k3 are citizens' author keys (already pseudonyms).

    Drawn by hand (reply = comment on the post's agency or on the parent's author):
    c1 k1 on P1, mentions @KominfoPemalang      -> k1 -> A (reply and mention, weight 2)
    c2 agency replies to c1                      -> A -> k1
    c3 k2 replies to c1, mentions @budi_s        -> k2 -> k1, k2 -> budi
    c4 k3 on P2, mentions @DinkesPemalang        -> k3 -> A, k3 -> dinkes
    c5 k2 on P2                                  -> k2 -> A
    c6 k1 replies to c99 (not in the file)       -> left out
    c7 no author key                             -> left out
    c8 agency on its own post                    -> self-loop, left out
    """
    return pd.DataFrame(
        {
            "agency_id": [AGENCY] * 8,
            "platform": ["x"] * 8,
            "post_id": ["P1", "P1", "P1", "P2", "P2", "P2", "P2", "P1"],
            "comment_id": [f"c{i}" for i in range(1, 9)],
            "parent_id": ["", "c1", "c1", "", "", "c99", "", ""],
            "author_key": ["k1", "", "k2", "k3", "k2", "k1", "", ""],
            "is_agency": [False, True, False, False, False, False, False, True],
            "text": [
                "Kapan layanan KTP buka? @KominfoPemalang",
                "Senin pukul 08.00, Kak.",
                "Sama, saya juga mau tanya @budi_s",
                "Mantap, terima kasih @DinkesPemalang",
                "Setuju",
                "?",
                "anonim",
                "Info lengkap di bio",
            ],
        }
    )


def _hand_drawn() -> nx.DiGraph:
    graph = nx.DiGraph()
    budi = "user-" + _citizen("budi_s")
    graph.add_edge("user-k1", AGENCY, weight=2)
    graph.add_edge(AGENCY, "user-k1", weight=1)
    graph.add_edge("user-k2", "user-k1", weight=1)
    graph.add_edge("user-k2", budi, weight=1)
    graph.add_edge("user-k3", AGENCY, weight=1)
    graph.add_edge("user-k3", "dinkes-pemalang", weight=1)
    graph.add_edge("user-k2", AGENCY, weight=1)
    return graph


def test_edges_and_notes_of_the_hand_drawn_thread(thread):
    network = mention_network(thread, agency_handles=HANDLES, pseudonymize=_citizen)
    expected = _hand_drawn()
    assert set(network.graph.edges) == set(expected.edges)
    for u, v, weight in expected.edges(data="weight"):
        assert network.graph.edges[u, v]["weight"] == weight
    assert network.graph.edges["user-k1", AGENCY]["mentions"] == 1
    assert network.graph.edges["user-k1", AGENCY]["replies"] == 1
    assert network.graph.nodes[AGENCY]["kind"] == "agency"
    assert network.graph.nodes["dinkes-pemalang"]["kind"] == "agency"
    assert network.graph.nodes["user-k2"]["kind"] == "account"
    assert network.graph.graph["notes"] == {
        "replies to a comment not in the table (left out)": 1,
        "comments without an author key (left out)": 1,
        "self-mentions and replies to oneself (left out)": 1,
    }


def test_degrees_by_hand_and_centralities_as_networkx(thread):
    table = mention_network(thread, agency_handles=HANDLES, pseudonymize=_citizen).centrality
    assert list(table.columns) == list(CENTRALITY_COLUMNS)
    table = table.set_index("node")
    # by hand: the agency is reached by k1, k2, k3 (4 mentions and replies); k2 reaches 3 nodes
    assert table.loc[AGENCY, ["in_degree", "out_degree", "in_weight"]].tolist() == [3, 1, 4]
    assert table.loc["user-k2", ["in_degree", "out_degree", "out_weight"]].tolist() == [0, 3, 3]
    assert table.loc["user-k1", ["in_degree", "out_degree", "out_weight"]].tolist() == [2, 1, 2]
    # by hand: the one shortest path through a middle node is k3 -> A -> k1; directed
    # betweenness is normalized by (n - 1)(n - 2) = 5 x 4
    assert table.loc[AGENCY, "betweenness"] == pytest.approx(1 / 20)
    assert table["betweenness"].drop(AGENCY).eq(0).all()
    # networkx's own functions on the graph drawn by hand
    expected = _hand_drawn()
    betweenness = nx.betweenness_centrality(expected)
    closeness = nx.closeness_centrality(expected)
    pagerank = nx.pagerank(expected, weight="weight")
    for node in expected.nodes:
        assert table.loc[node, "betweenness"] == pytest.approx(betweenness[node], abs=1e-12)
        assert table.loc[node, "closeness"] == pytest.approx(closeness[node], abs=1e-12)
        assert table.loc[node, "pagerank"] == pytest.approx(pagerank[node], abs=1e-9)
    assert table.index[0] == AGENCY  # highest PageRank first


def test_no_citizen_handle_survives(thread):
    network = mention_network(thread, agency_handles=HANDLES, salt="study-key")
    names = " ".join(map(str, network.graph.nodes)) + " ".join(network.centrality["node"])
    assert "budi" not in names.casefold()
    authors = {"user-k1", "user-k2", "user-k3"}
    citizens = [n for n in network.graph.nodes if n.startswith("user-") and n not in authors]
    assert len(citizens) == 1 and len(citizens[0]) == len("user-") + 16  # HMAC, 16 hex digits


def test_citizen_handles_need_a_pseudonymizer(thread):
    with pytest.raises(InputError, match="1 mentioned account.*not agencies' handles"):
        mention_network(thread, agency_handles=HANDLES)
    with pytest.raises(ValueError, match="either pseudonymize or salt"):
        mention_network(thread, agency_handles=HANDLES, salt="k", pseudonymize=_citizen)


def test_posts_network_links_agencies_by_mentions():
    posts = pd.DataFrame(
        {
            "agency_id": ["kominfo-pemalang", "kominfo-pemalang", "galnas"],
            "text": [
                "Selamat @KemenPANRB dan @galerinasional!",
                "Bersama @KemenPANRB",
                "Terima kasih @KominfoPemalang",
            ],
        }
    )
    handles = {
        "KemenPANRB": "kemenpanrb",
        "galerinasional": "galnas",
        "KominfoPemalang": "kominfo-pemalang",
    }
    network = mention_network(posts, agency_handles=handles)
    assert network.graph.edges["kominfo-pemalang", "kemenpanrb"]["mentions"] == 2
    assert set(network.graph.edges) == {
        ("kominfo-pemalang", "kemenpanrb"),
        ("kominfo-pemalang", "galnas"),
        ("galnas", "kominfo-pemalang"),
    }
    assert set(network.centrality["kind"]) == {"agency"}


def test_missing_columns_and_empty_networks():
    with pytest.raises(
        InputError, match=r"comments table .* lacks columns \['parent_id', 'author_key'"
    ):
        mention_network(pd.DataFrame(columns=["comment_id", "agency_id", "post_id"]))
    empty = mention_network(pd.DataFrame({"agency_id": ["a"], "text": ["tanpa sebutan"]}))
    assert empty.graph.number_of_nodes() == 0
    assert list(empty.centrality.columns) == list(CENTRALITY_COLUMNS)
    assert centrality_table(nx.DiGraph()).empty


def _random_graph() -> nx.DiGraph:
    graph = nx.gnp_random_graph(150, 0.03, seed=4, directed=True)
    graph.add_edges_from((200 + i, i % 7) for i in range(100))  # accounts that only mention
    nx.set_edge_attributes(graph, 1, "weight")
    return nx.relabel_nodes(graph, str)


def test_betweenness_from_the_mentioning_accounts_equals_networkx_exact():
    graph = _random_graph()
    table = centrality_table(graph).set_index("node")
    # networkx.betweenness_centrality over every source, the reference
    expected = nx.betweenness_centrality(graph)
    for node, value in expected.items():
        assert table.loc[node, "betweenness"] == pytest.approx(value, abs=1e-12)
    assert table.attrs["notes"] == []


def test_large_networks_get_sampled_betweenness_and_a_note(monkeypatch):
    from analysis.content import network

    monkeypatch.setattr(network, "MAX_EXACT_SOURCES", 10)
    monkeypatch.setattr(network, "BETWEENNESS_PIVOTS", 50)
    graph = _random_graph()
    table = centrality_table(graph, seed=3).set_index("node")
    # networkx's pivot sampling with the same k and seed
    expected = nx.betweenness_centrality(graph, k=50, seed=3)
    for node, value in expected.items():
        assert table.loc[node, "betweenness"] == pytest.approx(value, abs=1e-12)
    assert table.attrs["notes"] == ["betweenness estimated from 50 sampled source nodes (seed 3)"]
