#pragma once

#include <string>
#include <vector>

#include "compose_node.hpp"
#include "test_dir.hpp"

namespace pgfo::test {

// Host a (primary, a table public.t with 100 rows) and host b (its streaming standby), each
// its own compose project and data dir, each with a pgfo config naming the other as peer
// (EXTRA: more config lines, as write_pgfo_config takes them).
struct ComposePair {
    TestDir dir;
    ComposeNode a;
    ComposeNode b;

    explicit ComposePair(const std::vector<std::string>& extra = {})
        : a((ensure_docker(), dir / "a"), unique_project("pgfoa")), b(dir / "b", unique_project("pgfob"))
    {
        a.init_primary();
        a.exec("CREATE TABLE public.t (id int PRIMARY KEY, note text)");
        a.exec("INSERT INTO public.t SELECT g, 'before' FROM generate_series(1, 100) g");
        b.init_standby_of(a);
        b.wait_for_replay_of(a);
        a.write_pgfo_config("node-a", {b.address()}, extra);
        b.write_pgfo_config("node-b", {a.address()}, extra);
    }
};

}  // namespace pgfo::test
