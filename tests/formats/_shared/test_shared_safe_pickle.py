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


def _chain(depth: int, empty: bytes, wrap: bytes) -> bytes:
    """Pickle opcodes for a container nested ``depth`` levels deep, one byte per level:
    ``empty`` makes the innermost, ``wrap`` puts the last one in a new one."""
    return empty + wrap * depth


#: A dict keyed by a tuple nested a million levels deep: 1 MB, a million items to hash.
_MILLION_DEEP_TUPLE_KEY = b"\x80\x02}" + _chain(10**6, b")", b"\x85") + b"K\x01s."

#: Loads the pickle in the file argv[1] and prints the error; run in a child process, as
#: hashing such a key crashed the interpreter (SIGSEGV) rather than raising.
_LOAD_IN_A_CHILD = """
import sys
from posebridge.errors import PoseBridgeError
from posebridge.formats._shared.safe_pickle import load_pickled
try:
    load_pickled(open(sys.argv[1], "rb").read(), "t.npy")
    print("accepted")
except PoseBridgeError as error:
    print(error)
"""


def test_a_dict_key_nested_a_million_levels_deep_is_refused_not_a_crash(tmp_path):
    """Python hashes nested tuples by recursion: the C stack overflowed (exit code -11)."""
    import subprocess
    import sys

    path = tmp_path / "deep.pickle"
    path.write_bytes(_MILLION_DEEP_TUPLE_KEY)
    run = subprocess.run(
        [sys.executable, "-c", _LOAD_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("t.npy: the pickle nests tuples more than"), run.stdout


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x02}X\x01\x00\x00\x00a" + _chain(100_000, b"]", b"]") + b"a" * 100_000 + b"s.",
        b"\x80\x02}X\x01\x00\x00\x00a" + _chain(100_000, b")", b"\x85") + b"s.",
        b"\x80\x02]q\x00h\x00a.",  # a list holding itself
        b"\x80\x02}q\x00X\x01\x00\x00\x00ah\x00s.",  # a dict holding itself
    ],
    ids=["list-value", "tuple-value", "list-in-itself", "dict-in-itself"],
)
def test_values_nested_past_the_limit_or_in_themselves_are_refused(data):
    """Comparing, printing or copying such a value recurses without end (RecursionError,
    or a crash where Python does not count the levels); data files nest a few levels."""
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle nests containers more"):
        load_pickled(data, "t.npy")


def test_nesting_is_refused_one_level_past_the_limit_and_admitted_up_to_it():
    from posebridge.formats._shared.safe_pickle import MAX_NESTING

    nested: list = []
    for _ in range(MAX_NESTING - 2):  # the outer dict and the innermost list are levels too
        nested = [nested]
    value = {"a": nested, (("x",),): 1}
    assert load_pickled(pickle.dumps(value, protocol=2), "t.npy") == value
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle nests containers more"):
        load_pickled(pickle.dumps({"a": [nested]}, protocol=2), "t.npy")


@pytest.mark.parametrize(
    "pairs",
    [[[_doubled(40, ()), 1]], ([_doubled(40, ()), 1],)],
    ids=["list-of-lists", "tuple-of-lists"],
)
def test_dict_called_with_pairs_held_in_lists_measures_their_keys(pairs):
    """dict([[t, 1]]) hashed t whole, 2**40 items, as a list pair counted as one item."""
    data = pickle.dumps(_Call(dict, pairs), protocol=2)
    assert len(data) < 1000
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle asks to hash more than"):
        load_pickled(data, "t.npy")


def _dict_of_keys(keys: list[bytes]) -> bytes:
    """A protocol-2 pickle of a dict with the given pickled keys, each valued None."""
    return b"\x80\x02}(" + b"".join(key + b"N" for key in keys) + b"u."


def _long(number: int) -> bytes:
    raw = number.to_bytes((number.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw  # LONG1, written without hashing it here


@pytest.mark.parametrize(
    "keys",
    [
        [_long(k * (2**61 - 1)) for k in range(1, 3001)],  # all hash as 0
        [pickle.dumps((k, -k), protocol=2)[2:-1] for k in range(1, 1501)],
    ],
    ids=["integers-past-2**61", "tuples-of-integers"],
)
def test_dict_keys_a_file_can_make_hash_alike_are_refused_past_a_few_thousand(keys):
    """Keys of equal hashes make a dict compare each key with every earlier one: forty
    thousand integers k * (2**61 - 1), half a megabyte, took 33 s."""
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle has more than \d+ items"):
        load_pickled(_dict_of_keys(keys), "t.npy")


def test_keys_that_hash_apart_are_admitted_in_any_number_the_others_up_to_a_limit():
    """Text (hashed with a random key), integers within 2**61 (hashed as themselves) and
    floats are admitted however many; tuples of integers (whose hashes a file can solve
    for) up to MAX_COLLIDABLE_HASHED items."""
    from posebridge.formats._shared.safe_pickle import MAX_COLLIDABLE_HASHED

    value = {f"key{n}": n for n in range(20_000)} | dict.fromkeys(range(-(2**61 - 2), 0, 2**45), 0)
    value |= {float(n) / 3: 1 for n in range(20_000)}
    tuples = {(n, n): 1 for n in range(MAX_COLLIDABLE_HASHED // 3)}  # 3 items each
    assert load_pickled(pickle.dumps(value | tuples, protocol=2), "t.npy") == value | tuples
    one_more = pickle.dumps(tuples | {(-1, -1): 1}, protocol=2)
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle has more than \d+ items"):
        load_pickled(one_more, "t.npy")


def test_numpy_integers_within_2_61_are_admitted_as_keys_in_any_number_larger_ones_not():
    """numpy's integer scalars hash as the Python integers they are: 3000 of them were
    refused as keys a file could make hash alike (idtracker.ai's groups hold such sets)."""
    from posebridge.formats._shared.safe_pickle import MAX_COLLIDABLE_HASHED

    many = MAX_COLLIDABLE_HASHED + 1000
    value = {"groups": set(np.arange(many, dtype=np.int64)), "flags": {np.bool_(True): 1}}
    value["floats"] = set(np.arange(many, dtype=np.float32) / 3)
    assert load_pickled(pickle.dumps(value, protocol=2), "t.npy") == value
    large = set(np.arange(many, dtype=np.uint64) + np.uint64(2**62))  # past 2**61: counted
    with pytest.raises(PoseBridgeError, match=r"t\.npy: the pickle has more than \d+ items"):
        load_pickled(pickle.dumps({"g": large}, protocol=2), "t.npy")


_GIB = 2**30


@pytest.mark.parametrize(
    ("opcode", "length_format"),
    [
        (pickle.BYTEARRAY8, "<Q"),
        (pickle.BINBYTES8, "<Q"),
        (pickle.BINUNICODE8, "<Q"),
        (pickle.BINBYTES, "<I"),
        (pickle.BINUNICODE, "<I"),
        (pickle.BINSTRING, "<i"),
        (pickle.LONG4, "<i"),
        (pickle.FRAME, "<Q"),
    ],
    ids=["BYTEARRAY8", "BINBYTES8", "BINUNICODE8", "BINBYTES", "BINUNICODE", "BINSTRING",
         "LONG4", "FRAME"],
)  # fmt: skip
@pytest.mark.parametrize("source", ["bytes", "file"])
def test_a_length_beyond_the_pickles_end_is_refused_before_allocating(
    opcode, length_format, source, tmp_path
):
    """A few bytes declaring a gigabyte: refused as cut short, nothing of that size made."""
    import struct
    import tracemalloc

    held = b"abc"
    data = b"\x80\x05" + opcode + struct.pack(length_format, _GIB) + held
    if source == "file":
        path = tmp_path / "t.npy"
        path.write_bytes(b"header" + data)
        handle = path.open("rb")
        handle.read(len(b"header"))  # the unpickler starts where the .npy header ends
    else:
        handle = data
    tracemalloc.start()
    try:
        with pytest.raises(PoseBridgeError) as refused:
            load_pickled(handle, "t.npy")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        if source == "file":
            handle.close()
    name = {v: k for k, v in vars(pickle).items() if isinstance(v, bytes)}[opcode]
    assert f"t.npy: not a readable pickle ({name} declares {_GIB} bytes" in str(refused.value)
    assert f"only {len(held)} are left" in str(refused.value)
    assert "cut short" in str(refused.value)
    assert peak < _GIB // 16, name


def test_a_pickle_ending_before_its_end_mark_is_said_to_be_cut_short():
    data = pickle.dumps({"trajectories": [1, 2, 3]}, protocol=2)
    with pytest.raises(PoseBridgeError) as refused:
        load_pickled(data[:-1], "t.npy")  # STOP removed
    assert "cut short" in str(refused.value)
    assert "EOFError" not in str(refused.value)


def test_lengths_within_the_pickle_are_read_in_and_out_of_frames():
    value = {"a": bytearray(b"xyz"), "b": b"q" * 300, "c": "t" * 300, "d": 2**4000}
    for protocol in (2, 4, 5):
        assert load_pickled(pickle.dumps(value, protocol=protocol), "t.npy") == value
