"""Random programs (fuzz_programs.py) give the same values, first derivatives and second
derivatives (create_graph) under chainrule as under PyTorch, in float64.

CI runs 500 programs (a few seconds). More: CHAINRULE_FUZZ_PROGRAMS=5000 (and
CHAINRULE_FUZZ_FIRST_SEED to start elsewhere); or without pytest,
`python tests/autograd/fuzz_programs.py 5000`.
"""

from __future__ import annotations

import os

from fuzz_programs import compare, run_program

import chainrule

PROGRAMS = int(os.environ.get("CHAINRULE_FUZZ_PROGRAMS", "500"))
FIRST_SEED = int(os.environ.get("CHAINRULE_FUZZ_FIRST_SEED", "0"))


def test_random_programs_match_pytorch(torch):
    mismatches = []
    for seed in range(FIRST_SEED, FIRST_SEED + PROGRAMS):
        why = compare(seed, torch)
        if why:
            mismatches.append(why)
    assert not mismatches, f"{len(mismatches)} of {PROGRAMS} programs differ:\n" + "\n".join(
        mismatches[:20]
    )


def test_the_programs_reach_what_they_are_meant_to():
    """The generator is not vacuous: across the CI programs, steps of every family run,
    0-dim and zero-size results occur, and most programs have second derivatives."""
    families, zero_dim, zero_size, second = set(), 0, 0, 0
    for seed in range(200):
        trace = run_program(chainrule, seed)
        steps = [e for e in trace if e[0].startswith("step") and not e[1].startswith("raises")]
        families |= {e[0].split()[2].split(":")[0] for e in steps}
        zero_dim += any(e[2] == () for e in steps)
        zero_size += any(e[2] is not None and 0 in e[2] for e in steps)
        second += any(e[0].startswith("second ") for e in trace)
    assert families == {
        "smooth",
        "piecewise",
        "binary",
        "reduce",
        "view",
        "inplace",
        "join",
        "matmul",
        "indexed",
    }
    assert zero_dim > 40 and zero_size > 20 and second > 150, (zero_dim, zero_size, second)
