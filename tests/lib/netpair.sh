# tests/lib/netpair.sh: two network namespaces of the test's own, joined by a
# veth pair: $SRV (198.51.100.1/24) and $CLI (198.51.100.2/24). Sourced after
# SRV and CLI are set to names unique to the run (with $$).
#   netpair_up NAME   makes them; exits 77 (skipped, the reason said as NAME's)
#                     when the machine has no network namespaces
#   netpair_down      removes them (call it from the EXIT trap)

# netpair_up NAME: the two namespaces, their link and addresses.
netpair_up() {
    if ! ip netns add "$SRV" 2>/dev/null; then echo "SKIPPED: $1: ip netns add failed (no netns support)"; exit 77; fi
    ip netns add "$CLI" || exit 1
    ip link add np-s$$ netns "$SRV" type veth peer name np-c$$ netns "$CLI" || exit 1
    ip -n "$SRV" addr add 198.51.100.1/24 dev np-s$$
    ip -n "$CLI" addr add 198.51.100.2/24 dev np-c$$
    for _np_ns in "$SRV" "$CLI"; do ip -n "$_np_ns" link set lo up; done
    ip -n "$SRV" link set np-s$$ up
    ip -n "$CLI" link set np-c$$ up
}

# netpair_down: removes both namespaces (and with them the veth pair).
netpair_down() {
    ip netns del "$SRV" 2>/dev/null
    ip netns del "$CLI" 2>/dev/null
}
