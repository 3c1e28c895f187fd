"""The error family and the one translation of reading failures (errors.reading_failure)."""

from __future__ import annotations

import zlib

import pytest

from posebridge.errors import FormatError, PoseBridgeError, SchemaError, reading_failure


def _raised(error: BaseException) -> BaseException:
    """``error`` with a traceback, as the readers catch it."""
    try:
        raise error
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    "error",
    [
        OSError("Can't synchronously read data (filter returned failure during read)"),
        MemoryError("no room"),
        _raised(zlib.error("Error -3 while decompressing data")),
    ],
)
def test_input_output_failures_are_format_errors_naming_the_file(error):
    found = reading_failure("a.h5", error, "SLEAP")
    assert isinstance(found, FormatError)
    assert str(found).startswith("a.h5: could not be read as SLEAP: ")
    assert str(error) in str(found)


def test_text_that_does_not_decode_is_a_format_error():
    error = _raised(UnicodeDecodeError("utf-8", b"\xf3", 0, 1, "unexpected end of data"))
    found = reading_failure("b.nwb", error, "NWB")
    assert isinstance(found, FormatError)
    assert str(found).startswith("b.nwb: holds text that cannot be decoded")


def test_a_posebridge_error_is_kept_as_it_is():
    error = SchemaError("b.h5: no frames")
    assert reading_failure("b.h5", error) is error


def test_anything_else_is_reported_as_a_posebridge_bug_not_a_file_problem():
    found = reading_failure("c.csv", _raised(AttributeError("no attribute 'size'")), "DLC")
    assert type(found) is PoseBridgeError
    assert str(found).startswith("c.csv: posebridge failed while reading it as DLC")
    assert "This is a posebridge error" in str(found)


def test_a_key_error_outside_hdf5_is_a_bug_and_inside_hdf5_a_damaged_file(tmp_path):
    import h5py

    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as h5:
        h5["a"] = 1
    with h5py.File(path, "r") as h5:
        try:
            h5["missing"]
        except KeyError as error:
            inside = error
    assert isinstance(reading_failure(path, inside), FormatError)
    assert "is a damaged HDF5 file" in str(reading_failure(path, inside))
    outside = _raised(KeyError("missing"))
    assert type(reading_failure(path, outside)) is PoseBridgeError


# -- describe (posebridge info) on damaged files ----------------------------------------


def _damaged_corpus_files() -> list:
    """One corpus file of every format with a describe, cut to half its size, and the
    same file with a run of its bytes zeroed (found by fuzzing describe: raw h5py
    RuntimeError/KeyError/UnicodeDecodeError and scipy ValueError)."""
    from _corpus import CORPUS, MISSING, readable_files
    from posebridge import detect, registry

    if not CORPUS.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=MISSING))]
    chosen: dict[str, object] = {}
    for path in readable_files():
        if not path.is_file() or path.stat().st_size > 3_000_000:
            continue
        try:
            fmt = registry.get(detect(path))
        except PoseBridgeError:
            continue
        if fmt.describe is not None:
            chosen.setdefault(fmt.name, path)
    return [
        pytest.param(path, how, id=f"{name}-{how}")
        for name, path in sorted(chosen.items())
        for how in ("half", "zeroed")
    ]


@pytest.mark.parametrize(("source", "how"), _damaged_corpus_files())
def test_describe_of_a_damaged_file_gives_rows_or_a_format_error_naming_it(tmp_path, source, how):
    from posebridge import registry

    data = source.read_bytes()
    size = len(data)
    if how == "half":
        data = data[: size // 2]
    else:  # a run of zeros from a quarter in: headers and tables of binary files
        data = data[: size // 4] + bytes(min(4096, size // 2)) + data[size // 4 + 4096 :]
    damaged = tmp_path / source.name
    damaged.write_bytes(data)
    describe = registry.get(registry.detect(source)).describe  # fmt: skip
    try:
        rows = describe(damaged)
    except PoseBridgeError as error:
        assert damaged.name in str(error)
        assert "This is a posebridge error" not in str(error), str(error)
    else:
        assert all(len(row) == 2 for row in rows)


def test_describing_turns_failures_into_format_errors_naming_the_file():
    from posebridge.errors import describing

    @describing("NWB")
    def describe(path):
        raise KeyError("Unable to synchronously open object (bad heap)")

    with pytest.raises(PoseBridgeError, match=r"a\.nwb: posebridge failed while reading it"):
        describe("a.nwb")


def test_the_twins_of_movement_s_errors_are_the_built_ins_too():
    from posebridge import errors

    missing = errors.FolderNotFoundError(2, "out/x.h5: the folder out does not exist.", "out/x.h5")
    assert isinstance(missing, PermissionError) and isinstance(missing, FileNotFoundError)
    assert isinstance(missing, errors.FileNotFoundError) and isinstance(missing, PoseBridgeError)
    assert (missing.errno, missing.filename) == (2, "out/x.h5")
    assert str(missing) == "out/x.h5: the folder out does not exist."
    kind = errors.DatasetKindError("to_nwb_file writes poses.")
    assert isinstance(kind, AttributeError) and isinstance(kind, SchemaError)


def test_a_key_not_found_reads_as_written_not_quoted_as_key_errors_are():
    from posebridge.errors import KeyNotFoundError

    error = KeyNotFoundError("a.nwb", "has no PoseEstimation named 'XX'.")
    assert isinstance(error, KeyError) and isinstance(error, FormatError)
    assert str(error) == "a.nwb: has no PoseEstimation named 'XX'."
    assert (error.path, error.problem) == ("a.nwb", "has no PoseEstimation named 'XX'.")
    with pytest.raises(KeyError, match=r"^a\.nwb: has no"):
        raise error


def test_every_error_survives_pickling_as_a_worker_process_sends_it():
    import pickle

    import posebridge.errors as errors

    made = [
        errors.FormatError("a.nwb", "is damaged."),
        errors.KeyNotFoundError("a.nwb", "has no PoseEstimation named 'XX'."),
        errors.NotHDF5Error("a.nwb", "is not an HDF5 file."),
        errors.SchemaError("bad dataset"),
        errors.FileExistsError(17, "out.h5: exists.", "out.h5"),
    ]
    for error in made:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert getattr(back, "path", None) == getattr(error, "path", None)


def test_an_nwb_file_that_is_not_hdf5_is_an_os_error_as_h5py_and_movement_raise(tmp_path):
    import posebridge
    from posebridge.io import load_poses

    path = tmp_path / "text.nwb"
    path.write_text("not hdf5 at all")
    for read in (lambda: posebridge.load(path, "nwb"), lambda: load_poses.from_nwb_file(path)):
        with pytest.raises(OSError, match=r"text\.nwb: is not an NWB file") as caught:
            read()
        assert isinstance(caught.value, FormatError)  # and still posebridge's error
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    with pytest.raises(OSError):
        movement_load_poses.from_nwb_file(path)


def test_every_error_pickles_under_dask_distributeds_exception_pickling():
    # distributed installs tblib's exception pickling for every exception class known at
    # that moment, posebridge's included; the built-in OSError way of rebuilding the file
    # errors then failed ("ValueError.__new__(FileExistsError) is not safe")
    import subprocess
    import sys

    pytest.importorskip("tblib")
    script = (
        "import pickle\n"
        "import posebridge.errors as E\n"
        "from tblib import pickling_support\n"
        "pickling_support.install()\n"
        "made = [E.FileExistsError(17, 'o: exists.', 'o'), E.FileNotFoundError(2, 'i', 'i'),\n"
        "        E.FolderNotFoundError(2, 'f', 'f'), E.IsADirectoryError(21, 'd', 'd'),\n"
        "        E.FormatError('a', 'b'), E.KeyNotFoundError('a', 'b'),\n"
        "        E.NotHDF5Error('a', 'b'),\n"
        "        E.TypeError('t'), E.DatasetKindError('k'), E.SchemaError('s')]\n"
        "for e in made:\n"
        "    back = pickle.loads(pickle.dumps(e))\n"
        "    assert type(back) is type(e) and str(back) == str(e), e\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.parametrize("with_tblib", [False, True])
def test_a_several_videos_error_keeps_its_option_through_pickling(with_tblib):
    # a batch worker sends it to its parent, whose command line words the advice
    import subprocess
    import sys

    if with_tblib:
        pytest.importorskip("tblib")
    script = (
        "import pickle\n"
        "import posebridge.errors as E\n"
        + (
            "from tblib import pickling_support\npickling_support.install()\n"
            if with_tblib
            else ""
        )
        + "e = E.SeveralVideosError('t.nwb', 'holds 2 videos.', 'Pass m=.', option='m',\n"
        "    example='A', alternatives=(('combine', 'views', 'if views'),))\n"
        "back = pickle.loads(pickle.dumps(e))\n"
        "assert type(back) is type(e) and str(back) == str(e)\n"
        "assert str(back) == 't.nwb: holds 2 videos. Pass m=.'\n"
        "kept = (back.path, back.found, back.advice, back.option, back.example)\n"
        "assert kept == ('t.nwb', 'holds 2 videos.', 'Pass m=.', 'm', 'A')\n"
        "assert back.alternatives == (('combine', 'views', 'if views'),)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def _with_an_unavailable_filter(path, dims: int) -> str:
    """Rewrite the file's first float dataset of ``dims`` dims as compressed with an HDF5
    filter no plugin provides here (32015, Zstd's id: hdf5plugin's, not installed), as a
    file written with hdf5plugin is; returns the dataset's name."""
    import h5py
    import numpy as np

    with h5py.File(path, "r+") as h5:
        names: list[str] = []
        h5.visititems(
            lambda name, node: (
                names.append(name)
                if isinstance(node, h5py.Dataset) and node.ndim == dims and node.dtype.kind == "f"
                else None
            )
        )
        name = names[0]
        data, attrs = h5[name][()], dict(h5[name].attrs)
        del h5[name]
        new = h5.create_dataset(name, shape=data.shape, dtype=data.dtype, chunks=data.shape,
                                compression=32015, allow_unknown_filter=True)  # fmt: skip
        new.id.write_direct_chunk((0,) * dims, np.ascontiguousarray(data).tobytes())
        for key, value in attrs.items():
            new.attrs[key] = value
    return name


@pytest.mark.parametrize(("ending", "dims"), [(".nwb", 2), (".analysis.h5", 4), (".nc", 4)])
@pytest.mark.parametrize("lazily", [False, True], ids=["load", "open_dataset"])
def test_a_file_compressed_with_a_filter_not_installed_is_said_not_damaged(
    tmp_path, ending, dims, lazily
):
    """HDF5's own words were passed on ('can't open directory (/usr/local/hdf5/lib/plugin)'),
    which read as a damaged file, not as a missing plugin (hdf5plugin's Zstd, Blosc, ...)."""
    import numpy as np

    import posebridge

    position = np.random.default_rng(0).uniform(0, 9, (20, 2, 2, 1))
    ds = posebridge.from_numpy(position, individual_names=["m"], keypoint_names=["a", "b"], fps=10)
    path = posebridge.save(ds, tmp_path / f"poses{ending}")[0]
    name = _with_an_unavailable_filter(path, dims)

    with pytest.raises(FormatError) as error:
        if lazily:
            posebridge.open_dataset(path).position.load()
        else:
            posebridge.load(path)

    said = str(error.value)
    assert str(path) in said and "not available in this installation" in said
    assert "not damaged" in said and "hdf5plugin" in said
    assert f"/{name}: HDF5 filter 32015" in said


def test_the_advice_to_give_the_frame_rate_names_fps_on_the_command_line():
    from posebridge.errors import FPS_ADVICE, worded_for_command_line

    error = SchemaError(f"a.slp: the frame numbers are unknown. {FPS_ADVICE}")
    assert worded_for_command_line(error) == (
        "a.slp: the frame numbers are unknown. Give the frame rate with --fps (e.g. --fps 30)."
    )
    error = SchemaError("a.json: ... Give the frame rate (posebridge.model.with_fps(ds, fps)) or")
    assert worded_for_command_line(error) == "a.json: ... Give the frame rate (--fps) or"
    assert str(error).endswith("(posebridge.model.with_fps(ds, fps)) or")  # Python's unchanged


def test_the_python_advice_to_give_the_frame_rate_fits_every_caller():
    """h147 item 4: convert/convert_many callers have no dataset to give with_fps."""
    from posebridge.errors import FPS_ADVICE, worded_for_command_line

    assert "fps=" in FPS_ADVICE
    for caller in ("posebridge.load", "convert", "convert_many", "with_fps(ds, 30)"):
        assert caller in FPS_ADVICE
    error = SchemaError(f"a.h5: no frame numbers. {FPS_ADVICE}")
    assert worded_for_command_line(error) == (
        "a.h5: no frame numbers. Give the frame rate with --fps (e.g. --fps 30)."
    )
