"""Union-find and the identity merge rules."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_engine.errors import IdentityConflictError
from graph_engine.identity import IdentityResolver, IdentityState, UnionFind, identity_kind

TRUSTED = ["wechat_unionid", "phone", "external"]
EXCLUSIVE = ["wechat_unionid"]


def resolver() -> IdentityResolver:
    return IdentityResolver(IdentityState(), TRUSTED, EXCLUSIVE)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=60))
def test_union_find_matches_naive_components(pairs: list[tuple[int, int]]) -> None:
    uf = UnionFind()
    comp = {i: {i} for i in range(31)}
    for a, b in pairs:
        uf.union(a, b)
        merged = comp[a] | comp[b]
        for x in merged:
            comp[x] = merged
    for i in range(31):
        assert uf.find(i) == min(comp[i])  # the oldest (smallest) survives


def test_two_openids_merge_through_a_unionid() -> None:
    r = resolver()
    a, b = r.resolve("wechat_openid:o1"), r.resolve("wechat_openid:o2")
    assert a != b
    assert r.link(["wechat_openid:o1", "wechat_unionid:u"], "l1").merges == ()
    out = r.link(["wechat_openid:o2", "wechat_unionid:u"], "l2")
    assert [(m.survivor, m.merged) for m in out.merges] == [(a, b)]
    assert "wechat_unionid:u" in out.merges[0].reason and "l2" in out.merges[0].reason
    assert r.resolve("wechat_openid:o2") == a


def test_openids_alone_never_merge() -> None:
    r = resolver()
    r.resolve("wechat_openid:o1")
    r.resolve("wechat_openid:o2")
    with pytest.raises(IdentityConflictError, match="none of its keys is of a kind trusted"):
        r.link(["wechat_openid:o1", "wechat_openid:o2"], "l1")


def test_openid_never_merges_people_with_different_unionids() -> None:
    r = IdentityResolver(IdentityState(), ["wechat_openid", *TRUSTED], EXCLUSIVE)
    r.link(["wechat_openid:o1", "wechat_unionid:u1"], "l1")
    r.link(["wechat_openid:o2", "wechat_unionid:u2"], "l2")
    with pytest.raises(IdentityConflictError, match="2 different wechat_unionid keys"):
        r.link(["wechat_openid:o1", "wechat_openid:o2"], "l3")
    with pytest.raises(IdentityConflictError, match="different people"):
        r.link(["phone:h" + "0" * 32, "wechat_unionid:u1", "wechat_unionid:u2"], "l4")
    assert r.lookup("wechat_openid:o1") != r.lookup("wechat_openid:o2")


def test_a_refused_link_changes_nothing() -> None:
    r = resolver()
    r.resolve("wechat_openid:o1")
    r.resolve("wechat_openid:o2")
    r.drain()
    with pytest.raises(IdentityConflictError):
        r.link(["wechat_openid:o1", "wechat_openid:o2", "wechat_openid:o9"], "l")
    assert r.lookup("wechat_openid:o9") is None
    assert r.drain() == ([], [])


def test_canonical_ids_and_aliases_resolve() -> None:
    r = resolver()
    pk = r.resolve("external:crm-7")
    assert r.customer_id(pk) == "crm-7"
    other = r.resolve("wechat_openid:o1")
    assert r.customer_id(other).startswith("cus_")
    r.link(["wechat_openid:o1", "external:crm-7"], "l")
    assert r.lookup(f"external:{r.customer_id(other)}") == pk


def test_state_round_trip_resumes_the_same_decisions() -> None:
    r = resolver()
    r.resolve("wechat_openid:o1")
    r.resolve("wechat_openid:o2")
    r.link(["wechat_openid:o1", "wechat_unionid:u"], "l1")
    r.link(["wechat_openid:o2", "wechat_unionid:u"], "l2")
    state = IdentityState(keys=dict(r._keys), ids=dict(r._ids), parents={2: 1}, next_pk=3)
    again = IdentityResolver(state, TRUSTED, EXCLUSIVE)
    assert again.lookup("wechat_openid:o2") == 1
    assert again.customer_id(1) == r.customer_id(1)
    with pytest.raises(IdentityConflictError):
        again.link(["wechat_unionid:u", "wechat_unionid:v"], "l3")
    # the stored UnionID stays exclusive after a restart (a later ingest run): person 1
    # cannot be given a second one, through any of its keys
    for key in ("wechat_openid:o1", "wechat_openid:o2"):
        with pytest.raises(IdentityConflictError, match="2 different wechat_unionid keys"):
            again.link([key, "wechat_unionid:v"], "l4")
    assert again.lookup("wechat_unionid:v") is None


def test_a_merged_persons_exclusive_key_stays_exclusive_for_the_survivor() -> None:
    """Merge chain: the merged person held the UnionID; afterwards the survivor holds it,
    and a second UnionID for the survivor is refused."""
    r = resolver()
    a = r.resolve("wechat_openid:o1")
    r.link(["wechat_openid:o2", "wechat_unionid:u1"], "l1")  # person B holds u1
    r.link(["wechat_openid:o1", "phone:h" + "1" * 32], "l2")
    out = r.link(["wechat_openid:o2", "phone:h" + "1" * 32], "l3")  # A absorbs B
    assert [m.survivor for m in out.merges] == [a]
    assert r.lookup("wechat_unionid:u1") == a
    with pytest.raises(IdentityConflictError, match="2 different wechat_unionid keys"):
        r.link(["wechat_openid:o1", "wechat_unionid:u2"], "l4")
    with pytest.raises(IdentityConflictError, match="different people"):
        r.resolve("wechat_unionid:u3")
        r.link(["wechat_unionid:u3", "phone:h" + "1" * 32], "l5")


KEYS = (
    [f"wechat_openid:o{i}" for i in range(5)]
    + [f"wechat_unionid:u{i}" for i in range(3)]
    + [f"phone:h{i}" + "0" * 31 for i in range(3)]
    + [f"external:crm-{i}" for i in range(2)]
)


@given(
    st.lists(
        st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True),
        min_size=1,
        max_size=25,
    )
)
def test_no_person_ever_holds_two_keys_of_an_exclusive_kind(links: list[list[str]]) -> None:
    """Whatever the order of links (single keys resolve, several link), every person
    holds at most one UnionID, and a refused link changes nothing."""
    r = resolver()
    for i, keys in enumerate(links):
        before = {k: r.lookup(k) for k in KEYS}
        try:
            if len(keys) == 1:
                r.resolve(keys[0])
            else:
                r.link(keys, f"l{i}")
        except IdentityConflictError:
            assert {k: r.lookup(k) for k in KEYS} == before
        unionids: dict[int, set[str]] = {}
        for key in KEYS:
            pk = r.lookup(key)
            if pk is not None and key.startswith("wechat_unionid:"):
                unionids.setdefault(pk, set()).add(key)
        assert all(len(held) == 1 for held in unionids.values()), unionids


# --- details that scripts/mutate found untested --------------------------------------


def test_a_kind_is_what_comes_before_the_first_colon() -> None:
    assert identity_kind("external:crm:0001") == "external"
    assert identity_kind("phone") == "phone"


def test_find_splits_the_path_it_walks() -> None:
    uf = UnionFind({5: 4, 4: 3, 3: 2, 2: 1})  # a chain 5 -> 4 -> 3 -> 2 -> 1
    assert uf.find(5) == 1
    # path splitting: every node on the walk now points at its former grandparent
    assert uf._parent == {5: 3, 4: 2, 3: 1, 2: 1}
    assert uf.find(5) == 1
    assert uf._parent == {5: 1, 4: 2, 3: 1, 2: 1}


def test_new_ids_hash_the_first_key_and_count_collisions() -> None:
    base = "cus_" + hashlib.sha1(b"wechat_openid:o1").hexdigest()[:12]
    r = IdentityResolver(
        IdentityState(ids={base: 1, f"{base}_2": 2}, next_pk=3), TRUSTED, EXCLUSIVE
    )
    pk = r.resolve("wechat_openid:o1")
    assert r.customer_id(pk) == f"{base}_3"
    other = r.resolve("wechat_openid:o9")
    assert r.customer_id(other) == "cus_" + hashlib.sha1(b"wechat_openid:o9").hexdigest()[:12]
    r2 = IdentityResolver(IdentityState(ids={base: 1}, next_pk=2), TRUSTED, EXCLUSIVE)
    assert r2.customer_id(r2.resolve("wechat_openid:o1")) == f"{base}_2"


def test_a_crm_id_with_a_colon_is_kept_whole() -> None:
    r = resolver()
    pk = r.resolve("external:crm:0001")
    assert r.customer_id(pk) == "crm:0001"
    assert r.lookup("external:crm:0001") == pk


def test_new_customers_record_their_pk_id_and_first_key() -> None:
    r = resolver()
    a = r.resolve("phone:+8613800000000")
    b = r.resolve("external:C7")
    created, keys = r.drain()
    assert [(c.pk, c.id, c.first_key) for c in created] == [
        (a, r.customer_id(a), "phone:+8613800000000"),
        (b, "C7", "external:C7"),
    ]
    assert keys == [("phone:+8613800000000", a), ("external:C7", b)]
    assert r.drain() == ([], [])


def test_a_link_of_unknown_keys_names_the_person_after_its_first_key() -> None:
    r = resolver()
    out = r.link(["wechat_openid:a", "wechat_unionid:u"], "l1")
    assert out.attached == ("wechat_openid:a", "wechat_unionid:u")
    assert out.merges == ()
    assert r.customer_id(out.survivor) == "cus_" + hashlib.sha1(b"wechat_openid:a").hexdigest()[:12]
    # a CRM id anywhere in the link wins
    out = r.link(["wechat_openid:b", "external:C9"], "l2")
    assert r.customer_id(out.survivor) == "C9"


def test_an_untrusted_link_to_one_person_attaches_its_new_keys() -> None:
    r = resolver()
    a = r.resolve("wechat_openid:o1")
    out = r.link(["wechat_openid:o1", "wechat_openid:o2"], "l1")  # no trusted key, one person
    assert (out.survivor, out.attached, out.merges) == (a, ("wechat_openid:o2",), ())
    assert r.lookup("wechat_openid:o2") == a


def test_a_merge_reports_survivor_attached_keys_and_evidence() -> None:
    r = resolver()
    a, b = r.resolve("wechat_openid:o1"), r.resolve("phone:p")
    out = r.link(["phone:p", "wechat_openid:o1", "wechat_openid:o3"], "l7")
    assert out.survivor == a
    assert out.attached == ("wechat_openid:o3",)
    (merge,) = out.merges
    assert (merge.survivor, merge.merged) == (a, b)
    assert (merge.survivor_id, merge.merged_id) == (r.customer_id(a), r._pk_ids[b])
    assert merge.evidence == ("phone:p", "wechat_openid:o1", "wechat_openid:o3")
    assert merge.reason == f"identity_link l7: phone:p links {r._pk_ids[b]} to {r.customer_id(a)}"


def test_refusals_name_the_customers_the_keys_and_the_field() -> None:
    r = resolver()
    a, b = r.resolve("wechat_openid:o1"), r.resolve("wechat_openid:o2")
    with pytest.raises(IdentityConflictError) as untrusted:
        r.link(["wechat_openid:o1", "wechat_openid:o2"], "l1")
    assert untrusted.value.message == (
        f"identity_link would merge customers {r.customer_id(a)}, {r.customer_id(b)} but none "
        "of its keys is of a kind trusted to merge (trusted: external, phone, wechat_unionid)"
    )
    assert untrusted.value.details == {
        "field": "identities",
        "value": ["wechat_openid:o1", "wechat_openid:o2"],
    }
    r.link(["wechat_openid:o1", "wechat_unionid:u1"], "l2")
    with pytest.raises(IdentityConflictError) as exclusive:
        r.link(["wechat_openid:o1", "wechat_unionid:u2"], "l3")
    assert exclusive.value.message == (
        "identity_link would give one person 2 different wechat_unionid keys "
        "(wechat_unionid:u1, wechat_unionid:u2); wechat_unionid identifies exactly one "
        "person, so these are different people"
    )
    assert exclusive.value.details == {
        "field": "identities",
        "value": ["wechat_openid:o1", "wechat_unionid:u2"],
    }
