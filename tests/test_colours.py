"""posebridge._colours: one colour per individual, shared by figures and videos."""

from __future__ import annotations

from posebridge._colours import PALETTE, colour, colour_rgb


def test_the_first_ten_are_matplotlibs_default_cycle():
    assert [colour(i) for i in range(10)] == [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]  # fmt: skip


def test_every_individual_gets_its_own_colour_past_the_palette():
    """h142 finding 3: id_0, id_10 and id_20 used to share one colour."""
    colours = [colour(i) for i in range(2000)]
    assert len(set(colours)) == len(colours)
    assert colours[: len(PALETTE)] == list(PALETTE)
    assert len({colour_rgb(i) for i in range(2000)}) == 2000


def test_colours_are_the_same_whatever_order_they_are_asked_in():
    later = colour(150)
    assert colour(75) == colour(75)
    assert colour(150) == later
