"""The restricted unpickler on damaged bytes: a value or a PoseBridgeError, nothing raw."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from posebridge.errors import PoseBridgeError
from posebridge.formats._shared.safe_pickle import load_pickled


# numpy reports an error when it frees a refused array whose dtype flags were forged
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_every_one_byte_damage_of_a_pickled_dict_of_arrays_is_read_or_refused():
    """idtracker.ai's .npy holds such a pickle; fuzzing found an IndexError escaping."""
    data = pickle.dumps(
        {"trajectories": np.arange(12.0).reshape(3, 2, 2), "frames_per_second": 30},
        protocol=2,
    )
    raw = []
    for at in range(len(data)):
        for value in (0x00, 0x01, 0x7F, 0xFF):
            damaged = bytearray(data)
            damaged[at] = value
            try:
                load_pickled(bytes(damaged), "t.npy")
            except PoseBridgeError as error:
                assert str(error).startswith("t.npy: ")
            except Exception as error:  # the test's purpose: nothing else may escape
                raw.append((at, value, type(error).__name__, str(error)[:80]))
    assert not raw, raw[:5]


class _FlaggedFloat64:
    """Pickles as float64's dtype with the flags of an object type (NPY_ITEM_REFCOUNT)."""

    def __reduce__(self):
        return (np.dtype, ("f8", False, True), (3, "<", None, None, None, -1, -1, 1))


class _ArrayOfFlaggedFloats:
    """Pickles as numpy's own array reconstruction, with the forged dtype."""

    def __reduce__(self):
        from numpy._core.multiarray import _reconstruct

        state = (1, (3,), _FlaggedFloat64(), False, np.zeros(3).tobytes())
        return (_reconstruct, (np.ndarray, (0,), b"b"), state)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_array_whose_dtype_flags_are_forged_is_refused():
    data = pickle.dumps({"trajectories": [_ArrayOfFlaggedFloats()]}, protocol=2)
    with pytest.raises(PoseBridgeError, match=r"t\.npy: .* flags 1 that are not its own"):
        load_pickled(data, "t.npy")


def test_plain_arrays_and_object_arrays_are_admitted():
    value = {"a": np.arange(3.0), "b": np.array([None, "x"], dtype=object), "c": [np.int64(2)]}
    back = load_pickled(pickle.dumps(value, protocol=2), "t.npy")
    assert back["a"].tolist() == [0.0, 1.0, 2.0] and back["b"].tolist() == [None, "x"]
    assert back["c"] == [2]


class _Call:
    """Pickles as a call of ``function`` with ``args`` (what a forged file can hold)."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return (self.function, self.args)


@pytest.mark.parametrize(
    "payload",
    [
        _Call(bytearray, 10**12),  # a terabyte from a number: refused before allocating
        _Call(bytes, 10**12),
        _Call(list, _Call(bytearray, 10**12)),
        _Call(np.ndarray, (10**12,), np.dtype(object)),
    ],
    ids=["bytearray", "bytes", "list-of-bytearray", "ndarray"],
)
def test_a_size_made_from_a_number_in_the_file_is_refused(payload):
    data = pickle.dumps({"trajectories": payload}, protocol=4)  # builtins.*, not __builtin__
    assert b"builtins" in data or b"numpy" in data
    assert len(data) < 300
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle .*refused"):
        load_pickled(data, "t.npy")


def test_numpy_reconstruct_with_a_size_is_refused():
    from numpy._core.multiarray import _reconstruct

    data = pickle.dumps(_Call(_reconstruct, np.ndarray, (10**12,), np.dtype(object)), protocol=2)
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle rebuilds an array of shape"):
        load_pickled(data, "t.npy")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_forged_dtype_inside_an_object_array_is_refused():
    """np.save of a dict (idtracker.ai's files) is a 0-d object array holding the dict."""
    holder = np.empty((), dtype=object)
    holder[()] = {"trajectories": _ArrayOfFlaggedFloats()}
    data = pickle.dumps(holder, protocol=2)
    with pytest.raises(PoseBridgeError, match=r"t\.npy: .* flags 1 that are not its own"):
        load_pickled(data, "t.npy")


class _ShortObjectArray:
    """An object array whose pickled state says 10 items and holds none."""

    def __reduce__(self):
        from numpy._core.multiarray import _reconstruct

        return (_reconstruct, (np.ndarray, (0,), b"b"), (1, (10,), np.dtype(object), False, []))


def test_an_array_state_that_does_not_fill_its_shape_is_refused_not_a_crash():
    """numpy's __setstate__ trusts the list: a segmentation fault, in a child process here."""
    import subprocess
    import sys

    data = pickle.dumps({"trajectories": _ShortObjectArray()}, protocol=2)
    script = (
        "import sys\n"
        "from posebridge.formats._shared.safe_pickle import load_pickled\n"
        "try:\n"
        "    load_pickled(sys.stdin.buffer.read(), 't.npy')\n"
        "except Exception as error:\n"
        "    print(error)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], input=data, capture_output=True, timeout=120
    )
    assert run.returncode == 0
    assert "t.npy: not a readable pickle" in run.stdout.decode()
    assert "object array of shape (10,) holds 0 items" in run.stdout.decode()


def test_an_aligned_structured_array_is_admitted():
    """An aligned struct's own flags differ from its descr's: not a forged type."""
    aligned = np.dtype([("id", "u1"), ("x", "f8")], align=True)
    value = np.empty((), dtype=object)
    value[()] = {"extra": np.zeros(2, dtype=aligned), "a": np.arange(2.0)}
    back = load_pickled(pickle.dumps(value, protocol=2), "t.npy")
    assert back.item()["extra"].dtype == aligned


def test_protocol_2_pickles_of_empty_arrays_and_builtin_containers_are_admitted():
    """numpy up to 1.16 saved with protocol 2, naming builtins __builtin__.* (b'' too)."""
    value = {
        "empty": np.zeros(0),
        "raw": bytearray(b"ab"),
        "frozen": frozenset({1, 2}),
        "cut": slice(1, 3),
        "none": b"",
    }
    back = load_pickled(pickle.dumps(value, protocol=2), "t.npy")
    assert back["empty"].shape == (0,) and back["raw"] == bytearray(b"ab")
    assert back["frozen"] == frozenset({1, 2}) and back["cut"] == slice(1, 3)
    assert back["none"] == b""


def test_codecs_other_than_latin1_are_refused():
    """'hex' doubles its input: thirty nested calls in a kilobyte ask for a terabyte."""
    import codecs

    data = pickle.dumps({"t": _Call(codecs.encode, "ab" * 8, "hex")}, protocol=2)
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle encodes str with the codec"):
        load_pickled(data, "t.npy")
    assert load_pickled(pickle.dumps({"b": b"\x00\xff"}, protocol=2), "t.npy") == {
        "b": b"\x00\xff"
    }


def _doubled(depth: int, start):
    """``start`` held twice, then that pair twice ... ``depth`` times: 2**depth leaves that
    pickle in a few bytes per level (the pickler shares each level through its memo)."""
    value = start
    for _ in range(depth):
        value = (value, value) if isinstance(start, tuple) else [value, value]
    return value


def _dict_keyed_by(key) -> bytes:
    """A protocol-2 pickle of ``{key: 1}``, written without hashing ``key`` here."""
    body = pickle.dumps(key, protocol=2)[2:-1]  # without PROTO and STOP
    return b"\x80\x02}" + body + b"K\x01s."


def _frozenset_of(item) -> bytes:
    """A pickle of ``frozenset({item})`` (opcode FROZENSET), written without hashing ``item``."""
    return b"\x80\x04(" + pickle.dumps(item, protocol=2)[2:-1] + b"\x91."


@pytest.mark.parametrize(
    "data",
    [
        _dict_keyed_by(_doubled(40, ())),
        _dict_keyed_by(_Call(frozenset, [_doubled(40, ())])),
        _frozenset_of(_doubled(40, ())),
        pickle.dumps(_Call(set, [_doubled(40, ())]), protocol=2),
        pickle.dumps(_Call(dict, [(_doubled(40, ()), 1)]), protocol=2),
    ],
    ids=["dict-key", "frozenset-call", "frozenset-opcode", "set-item", "dict-call-key"],
)
def test_hashing_a_tuple_shared_two_ways_at_every_level_is_refused(data):
    """Forty levels are 2**40 items to hash: hours, from a pickle of a few hundred bytes."""
    assert len(data) < 1000
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle asks to hash more than"):
        load_pickled(data, "t.npy")


@pytest.mark.parametrize("builtin", [str, int, float, complex, slice])
def test_builtins_that_make_text_or_numbers_refuse_a_list_shared_two_ways(builtin):
    """str(slice(L)) of such a list was 2**40 items of text (str refused only a list)."""
    shared = _doubled(40, [])
    call = _Call(str, _Call(slice, shared)) if builtin is str else _Call(builtin, shared)
    data = pickle.dumps({"t": call}, protocol=4)  # builtins.str, not __builtin__.unicode
    assert len(data) < 1000
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle asks for \w+\(\.\.\.\) of a"):
        load_pickled(data, "t.npy")


def test_numpy_dtype_of_a_list_of_fields_is_refused():
    """numpy expands a list of fields once per reference; its own pickles give text."""
    fields: list = [("a", "f8")]
    for name in "bcdefghijklmnopqrstuvwxyz":
        fields = [(name + "1", fields), (name + "2", fields)]
    data = pickle.dumps({"t": _Call(np.dtype, fields)}, protocol=2)
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle asks for numpy\.dtype"):
        load_pickled(data, "t.npy")
