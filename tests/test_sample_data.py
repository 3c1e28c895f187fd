"""posebridge.sample_data: bundled samples offline, remote samples from a local HTTP server.

The remote tests serve a metadata.yaml written here, plus small sample files, a
still frame and a video, from http.server on 127.0.0.1 (tests/_sample_server.py);
the server counts the requests it receives. The download and cache layer's own
tests are in test_sample_data_downloads.py.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

import posebridge
from _sample_server import BOXES_NAME, POSES_NAME, TREX_NAME, serving
from _sample_server import closed_port as _closed_port
from _sample_server import publish as _publish
from _sample_server import sha256 as _sha256
from posebridge import registry, sample_data
from posebridge.sample_data import BUNDLED, SampleDataError

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------
# fixtures


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """Remote URL on a port nobody listens on, and an empty cache folder."""
    monkeypatch.setenv("POSEBRIDGE_SAMPLE_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("POSEBRIDGE_DATA_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def sample_server(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving tmp_path/remote; records request paths."""
    with serving(tmp_path, monkeypatch) as server:
        yield server


# --------------------------------------------------------------------------
# import and bundled samples


def test_import_makes_no_network_request(sample_server):
    _publish(sample_server)
    code = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('network used at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "import posebridge.sample_data, posebridge.cli\n"
        "print('imported')\n"
    )
    env = {
        **__import__("os").environ,
        "POSEBRIDGE_SAMPLE_URL": sample_server.url,
        "POSEBRIDGE_DATA_DIR": str(sample_server.cache),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
    assert sample_server.requests == []
    assert not sample_server.cache.exists()


def test_list_datasets_offline_gives_bundled_names_and_says_network_is_needed(offline):
    with pytest.warns(UserWarning, match="need the network"):
        names = sample_data.list_datasets()
    assert names == list(BUNDLED)


def test_list_datasets_without_remote_needs_no_network(offline):
    assert sample_data.list_datasets(remote=False) == list(BUNDLED)
    assert not offline.exists()


@pytest.mark.parametrize("name", list(BUNDLED))
def test_bundled_sample_loads_offline_as_its_netcdf_file(offline, name):
    path = sample_data.fetch_dataset_paths(name)
    kind = "bboxes" if "bboxes" in path else "poses"
    assert path["frame"] is None and path["video"] is None
    stored = xr.load_dataset(path[kind], engine="h5netcdf")
    ds = sample_data.fetch_dataset(name)
    assert ds.attrs["ds_type"] == kind
    np.testing.assert_array_equal(ds.position.values, stored.position.values)
    np.testing.assert_array_equal(ds.confidence.values, stored.confidence.values)
    np.testing.assert_array_equal(ds.time.values, stored.time.values)
    assert not offline.exists()  # nothing downloaded, no cache made


def test_two_mice_sample_has_gaps_confidence_and_a_skeleton(offline):
    ds = sample_data.fetch_dataset("posebridge_two-mice_2D.nc")
    assert dict(ds.sizes).items() >= {"individual": 2, "keypoint": 8, "space": 2}.items()
    assert 200 <= ds.sizes["time"] <= 1000
    assert ds.attrs["fps"] > 0 and ds.attrs["time_unit"] == "seconds"
    missing = ds.position.isnull().any("space")
    assert 0 < float(missing.mean()) < 0.2
    # an occlusion: some frames where one animal has no point at all
    assert bool(missing.all("keypoint").any())
    edges = ds["skeleton_edges"].values
    assert edges.shape[1] == 2 and edges.shape[0] >= 7
    assert set(edges.ravel()) <= set(ds.keypoint.values.tolist())
    confidence = ds.confidence.values
    assert np.nanmin(confidence) >= 0 and np.nanmax(confidence) <= 1


def test_single_mouse_sample_is_3d(offline):
    ds = sample_data.fetch_dataset("posebridge_single-mouse_3D.nc")
    assert ds.space.values.tolist() == ["x", "y", "z"]
    assert ds.sizes["individual"] == 1
    assert bool(ds.position.isnull().any())
    assert set(ds["skeleton_edges"].values.ravel()) <= set(ds.keypoint.values.tolist())


def test_bboxes_sample_has_a_gap_in_its_frame_numbers(offline):
    ds = sample_data.fetch_dataset("posebridge_two-crabs_bboxes.nc")
    assert ds.attrs["ds_type"] == "bboxes" and ds.attrs["time_unit"] == "frames"
    assert np.diff(ds.time.values).max() > 1
    assert bool(ds.position.isnull().any())
    assert float(np.nanmin(ds["shape"].values)) > 0


def _make_samples_module():
    spec = importlib.util.spec_from_file_location("make_samples", REPO / "tools/make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_files_are_what_tools_make_samples_builds(offline):
    built = _make_samples_module().build_samples()
    assert set(built) == set(BUNDLED)
    for name, fresh in built.items():
        bundled = sample_data.fetch_dataset(name)
        assert set(fresh.variables) == set(bundled.variables), name
        assert dict(fresh.sizes) == dict(bundled.sizes), name
        for dim in ("time", "space", "keypoint", "individual"):
            if dim in fresh.dims:
                np.testing.assert_array_equal(fresh[dim].values, bundled[dim].values)
        expected_attrs = dict(fresh.attrs)
        got = {k: v for k, v in bundled.attrs.items() if k != "source_file"}
        assert got == expected_attrs, name


def test_make_samples_writes_the_files(tmp_path):
    module = _make_samples_module()
    assert module.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(BUNDLED)
    for name in BUNDLED:
        assert posebridge.detect(tmp_path / name) == "netcdf"


def test_unknown_bundled_name_is_refused():
    with pytest.raises(SampleDataError, match="not a bundled sample"):
        sample_data.bundled_path("nothing.nc")


# --------------------------------------------------------------------------
# remote samples


def test_list_datasets_adds_remote_names_and_caches_the_metadata(sample_server):
    _publish(sample_server)
    names = sample_data.list_datasets()
    assert names == [*BUNDLED, POSES_NAME, BOXES_NAME, TREX_NAME]
    assert sample_server.requests == ["/metadata.yaml"]
    assert (sample_server.cache / "metadata.yaml").is_file()
    assert sample_data.list_datasets() == names
    assert sample_server.requests == ["/metadata.yaml"]  # second listing: the cache


def test_list_datasets_refresh_downloads_the_metadata_again(sample_server):
    _publish(sample_server, only=(POSES_NAME,))
    assert sample_data.list_datasets()[-1] == POSES_NAME
    _publish(sample_server)
    assert BOXES_NAME in sample_data.list_datasets(refresh=True)
    assert sample_server.requests == ["/metadata.yaml", "/metadata.yaml"]


def test_fetch_remote_sample_uses_metadata_fps_and_sets_frame_path(sample_server):
    written = _publish(sample_server)[POSES_NAME]
    ds = sample_data.fetch_dataset(POSES_NAME)
    np.testing.assert_array_equal(ds.position.values, written.position.values)
    np.testing.assert_array_equal(ds.confidence.values, written.confidence.values)
    assert ds.attrs["fps"] == 25
    np.testing.assert_allclose(ds.time.values, written.time.values / 25)
    frame = Path(ds.attrs["frame_path"])
    assert frame.read_bytes() == (sample_server.root / "frames/two-mice_frame.png").read_bytes()
    assert "video_path" not in ds.attrs
    assert "/videos/two-mice_video.mp4" not in sample_server.requests
    ds.to_netcdf(engine="h5netcdf")  # the attrs added are netCDF-safe


def test_fetch_with_video_sets_video_path(sample_server):
    _publish(sample_server)
    ds = sample_data.fetch_dataset(POSES_NAME, with_video=True)
    video = Path(ds.attrs["video_path"])
    assert video.read_bytes() == (sample_server.root / "videos/two-mice_video.mp4").read_bytes()


def test_second_fetch_makes_no_request(sample_server):
    _publish(sample_server)
    first = sample_data.fetch_dataset(POSES_NAME, with_video=True)
    count = len(sample_server.requests)
    assert count == 4  # metadata, data, frame, video
    second = sample_data.fetch_dataset(POSES_NAME, with_video=True)
    assert len(sample_server.requests) == count
    xr.testing.assert_identical(first, second)


def test_fetch_dataset_paths_of_remote_bboxes(sample_server):
    written = _publish(sample_server)[BOXES_NAME]
    paths = sample_data.fetch_dataset_paths(BOXES_NAME)
    assert set(paths) == {"bboxes", "frame", "video"}
    assert paths["frame"] is None and paths["video"] is None
    assert paths["bboxes"] == sample_server.cache / "bboxes" / BOXES_NAME
    ds = sample_data.fetch_dataset(BOXES_NAME)
    assert ds.attrs["time_unit"] == "frames"  # fps null in the metadata
    np.testing.assert_array_equal(ds.time.values, written.time.values)


def test_corrupted_download_fails_clearly_and_is_not_kept(sample_server):
    _publish(sample_server, corrupt=POSES_NAME)
    with pytest.raises(SampleDataError, match="sha256") as info:
        sample_data.fetch_dataset(POSES_NAME)
    assert POSES_NAME in str(info.value)
    assert not (sample_server.cache / "poses" / POSES_NAME).exists()


def test_corrupted_frame_fails_clearly(sample_server):
    _publish(sample_server, corrupt="two-mice_frame.png")
    with pytest.raises(SampleDataError, match="does not match the sha256"):
        sample_data.fetch_dataset_paths(POSES_NAME)


def test_damaged_cached_file_is_downloaded_again(sample_server):
    written = _publish(sample_server)[POSES_NAME]
    cached = sample_data.fetch_dataset_paths(POSES_NAME)["poses"]
    cached.write_bytes(b"damaged")
    ds = sample_data.fetch_dataset(POSES_NAME)
    np.testing.assert_array_equal(ds.position.values, written.position.values)
    assert sample_server.requests.count(f"/poses/{POSES_NAME}") == 2


def test_unknown_name_lists_the_available_samples(sample_server):
    _publish(sample_server)
    with pytest.raises(SampleDataError, match="No sample called") as info:
        sample_data.fetch_dataset("nothing.h5")
    assert POSES_NAME in str(info.value) and next(iter(BUNDLED)) in str(info.value)


def test_unknown_name_refreshes_a_stale_metadata_cache_once(sample_server):
    _publish(sample_server, only=(POSES_NAME,))
    sample_data.list_datasets()
    _publish(sample_server)  # the remote list grew
    ds = sample_data.fetch_dataset(BOXES_NAME)
    assert ds.attrs["ds_type"] == "bboxes"
    assert sample_server.requests.count("/metadata.yaml") == 2


def test_threads_fetching_the_same_sample_at_once_all_get_it(sample_server):
    written = _publish(sample_server)[BOXES_NAME]
    start = threading.Barrier(8)
    results: list[xr.Dataset] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        start.wait()
        try:
            results.append(sample_data.fetch_dataset(BOXES_NAME))
        except BaseException as error:  # recorded, asserted below
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 8
    for ds in results:
        np.testing.assert_array_equal(ds.position.values, written.position.values)
    cached = yaml.safe_load((sample_server.cache / "metadata.yaml").read_text())
    assert cached == yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    assert [p.name for p in sample_server.cache.iterdir() if p.name.startswith(".")] == []


def test_sample_of_an_unreadable_format_fails_before_downloading(sample_server):
    _publish(sample_server)
    metadata = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    metadata[TREX_NAME]["source_software"] = "FreeMoCap"  # a format posebridge cannot read
    (sample_server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))
    with pytest.raises(SampleDataError, match="cannot read FreeMoCap files"):
        sample_data.fetch_dataset(TREX_NAME)
    assert f"/poses/{TREX_NAME}" not in sample_server.requests


def test_trex_zip_sample_reads_its_unpacked_folder(sample_server):
    _publish(sample_server)
    folder = sample_data.fetch_dataset_paths(TREX_NAME)["poses"]
    target = next(folder.rglob("locust_0.npz"))
    frames = np.arange(4, dtype=np.float32)
    np.savez(target, frame=frames, X=frames, Y=frames + 1, timestamp=frames * 40000)
    ds = sample_data.fetch_dataset(TREX_NAME)
    assert ds.individual.values.tolist() == ["locust_0"]
    assert ds.attrs["fps"] == 30


def test_zip_sample_paths_point_at_the_unpacked_folder(sample_server):
    _publish(sample_server)
    folder = sample_data.fetch_dataset_paths(TREX_NAME)["poses"]
    assert folder.is_dir()
    unpacked = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    assert unpacked == ["five-locusts/locust_0.npz"]


def test_sample_declared_by_one_software_but_stored_as_netcdf(sample_server):
    others = [f for f in registry.all_formats() if f.reads and not f.matches_name(Path("x.nc"))]
    if not others:
        pytest.skip("needs a readable format besides netCDF")
    written = _publish(sample_server)[POSES_NAME]
    metadata = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    metadata[POSES_NAME]["source_software"] = others[0].name
    (sample_server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))
    ds = sample_data.fetch_dataset(POSES_NAME)
    np.testing.assert_array_equal(ds.position.values, written.position.values)


def test_fetch_offline_with_cached_metadata_says_network_is_needed(offline):
    offline.mkdir(parents=True)
    metadata = {POSES_NAME: {"sha256sum": "0" * 64, "type": "poses", "source_software": "nc"}}
    (offline / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))
    assert POSES_NAME in sample_data.list_datasets()  # the cache, no network needed
    with pytest.raises(SampleDataError, match="need the network"):
        sample_data.fetch_dataset(POSES_NAME)


def test_fetch_offline_without_metadata_says_network_is_needed(offline):
    with pytest.raises(SampleDataError, match="need the network"):
        sample_data.fetch_dataset(POSES_NAME)


def test_a_sample_file_the_server_does_not_have_is_said_to_be_missing_there(sample_server):
    _publish(sample_server)
    (sample_server.root / "bboxes" / BOXES_NAME).unlink()  # listed, but gone from the server
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(BOXES_NAME)
    message = str(caught.value)
    _not_the_network(message)
    assert f"answered 404 (not found) for {sample_server.url}/bboxes/{BOXES_NAME}" in message
    assert "list_datasets(refresh=True)" in message and "POSEBRIDGE_SAMPLE_URL" in message


def test_a_server_without_a_sample_list_is_said_to_answer_404(sample_server):
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    message = str(caught.value)
    _not_the_network(message)
    assert f"answered 404 (not found) for {sample_server.url}/metadata.yaml" in message
    assert "POSEBRIDGE_SAMPLE_URL" in message


def test_malformed_metadata_is_a_clear_error(sample_server):
    (sample_server.root / "metadata.yaml").write_text("- just\n- a list\n")
    with pytest.raises(SampleDataError, match="should map each sample"):
        sample_data.fetch_dataset(POSES_NAME)
    with pytest.warns(UserWarning, match="should map each sample"):
        assert sample_data.list_datasets() == list(BUNDLED)


def test_a_refresh_that_gets_a_wrong_page_keeps_the_cached_list(sample_server):
    written = _publish(sample_server)[BOXES_NAME]
    names = sample_data.list_datasets()
    cached = (sample_server.cache / "metadata.yaml").read_bytes()
    good = (sample_server.root / "metadata.yaml").read_bytes()
    page = b"<html><body>Sign in to the network</body></html>\n"
    (sample_server.root / "metadata.yaml").write_bytes(page)
    with pytest.warns(UserWarning) as caught:
        assert sample_data.list_datasets(refresh=True) == names
    message = str(caught[0].message)
    assert f"downloaded from {sample_server.url}/metadata.yaml" in message
    assert "should map each sample" in message and "Keeping the cached copy" in message
    assert (sample_server.cache / "metadata.yaml").read_bytes() == cached == good
    ds = sample_data.fetch_dataset(BOXES_NAME)  # the cached list still serves
    np.testing.assert_array_equal(ds.position.values, written.position.values)


@pytest.mark.parametrize("answer", [b"", b"\n", b"# no samples\n"])
def test_a_refresh_that_gets_an_empty_list_keeps_the_cached_list(sample_server, answer):
    """An empty metadata.yaml parsed as no samples and replaced the good cached list: the
    remote samples disappeared without a word (h136 item 3)."""
    _publish(sample_server)
    names = sample_data.list_datasets()
    good = (sample_server.root / "metadata.yaml").read_bytes()
    (sample_server.root / "metadata.yaml").write_bytes(answer)
    with pytest.warns(UserWarning, match="lists no sample") as caught:
        assert sample_data.list_datasets(refresh=True) == names
    assert "Keeping the cached copy" in str(caught[0].message)
    assert (sample_server.cache / "metadata.yaml").read_bytes() == good


def test_a_first_download_of_a_wrong_page_is_refused_and_not_cached(sample_server):
    (sample_server.root / "metadata.yaml").write_text("<html>maintenance</html>\n")
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    assert f"downloaded from {sample_server.url}/metadata.yaml" in str(caught.value)
    assert list(sample_server.cache.iterdir()) == []


def test_metadata_without_checksum_warns_that_it_is_unchecked(sample_server):
    written = _publish(sample_server)[BOXES_NAME]
    metadata = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    metadata[BOXES_NAME]["sha256sum"] = None
    (sample_server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))
    with pytest.warns(UserWarning, match="no sha256"):
        ds = sample_data.fetch_dataset(BOXES_NAME)
    np.testing.assert_array_equal(ds.shape.values, written.shape.values)


@pytest.mark.parametrize("written", ["0" * 64, "12" * 32, "abc", "1.5"])
def test_a_sha256sum_that_is_no_64_digit_hex_text_is_refused_before_downloading(
    sample_server, written
):
    """YAML makes an unquoted all-digit sum a number: it was taken as no sum (0) or lost
    its leading zeros; the download then went unchecked or failed as a mismatch."""
    _publish(sample_server)
    text = (sample_server.root / "metadata.yaml").read_text()
    good = _sha256(sample_server.root / "bboxes" / BOXES_NAME)
    (sample_server.root / "metadata.yaml").write_text(text.replace(good, written))
    with pytest.raises(SampleDataError, match="64 hexadecimal digits") as info:
        sample_data.fetch_dataset(BOXES_NAME)
    assert BOXES_NAME in str(info.value)
    assert not (sample_server.cache / "bboxes" / BOXES_NAME).exists()


def test_default_locations_and_overrides(monkeypatch, tmp_path):
    monkeypatch.delenv("POSEBRIDGE_SAMPLE_URL", raising=False)
    monkeypatch.delenv("POSEBRIDGE_DATA_DIR", raising=False)
    assert sample_data.sample_url() == sample_data.DEFAULT_URL
    assert "posebridge" in sample_data.data_dir().parts[-1]
    monkeypatch.setenv("POSEBRIDGE_SAMPLE_URL", "http://127.0.0.1:1/x/")
    monkeypatch.setenv("POSEBRIDGE_DATA_DIR", str(tmp_path))
    assert sample_data.sample_url() == "http://127.0.0.1:1/x"
    assert sample_data.data_dir() == tmp_path


# --------------------------------------------------------------------------
# the cache folder's problems are not the network's


def _not_the_network(message: str) -> None:
    assert "need the network" not in message and "needs the network" not in message, message


def test_a_read_only_cache_folder_is_said_to_be_one(sample_server):
    from _read_only import read_only

    _publish(sample_server)
    sample_server.cache.mkdir()
    with read_only(sample_server.cache):
        with pytest.raises(SampleDataError) as caught:
            sample_data.fetch_dataset(POSES_NAME)
        with pytest.warns(UserWarning, match="sample cache folder"):
            assert sample_data.list_datasets() == list(BUNDLED)
    message = str(caught.value)
    _not_the_network(message)
    assert f"sample cache folder {sample_server.cache}" in message
    assert "cannot be written" in message and "POSEBRIDGE_DATA_DIR" in message
    assert sample_server.requests == []  # refused before asking the server


def test_a_read_only_cache_with_the_metadata_says_the_sample_cannot_be_stored(sample_server):
    from _read_only import read_only

    _publish(sample_server)
    sample_data.list_datasets()  # caches metadata.yaml
    with read_only(sample_server.cache), pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    message = str(caught.value)
    _not_the_network(message)
    assert f"cannot be written in {sample_server.cache}" in message
    assert POSES_NAME in message


def test_a_read_only_cache_holding_the_sample_still_serves_it(sample_server):
    from _read_only import read_only

    written = _publish(sample_server)[POSES_NAME]
    sample_data.fetch_dataset(POSES_NAME)
    with read_only(sample_server.cache), read_only(sample_server.cache / "poses"):
        ds = sample_data.fetch_dataset(POSES_NAME)
    np.testing.assert_array_equal(ds.position.values, written.position.values)


def test_a_cache_path_that_is_a_file_is_said_to_be_a_file(sample_server):
    _publish(sample_server)
    sample_server.cache.write_text("not a folder")
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    message = str(caught.value)
    _not_the_network(message)
    assert f"{sample_server.cache} is a file, not a folder" in message


def test_a_damaged_cached_file_while_offline_is_said_to_be_damaged(sample_server, monkeypatch):
    _publish(sample_server)
    cached = sample_data.fetch_dataset_paths(POSES_NAME)["poses"]
    cached.write_bytes(b"damaged")
    monkeypatch.setenv("POSEBRIDGE_SAMPLE_URL", f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    message = str(caught.value)
    assert f"The cached copy {cached} of sample {POSES_NAME} does not match the sha256" in message
    assert "Downloading it again needs the network" in message


@pytest.mark.parametrize("name", ["poses/../../x.nc", "..", "..\\x.nc"])
def test_a_sample_name_that_is_not_a_file_name_is_refused_before_any_request(sample_server, name):
    _publish(sample_server)
    metadata = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    metadata[name] = metadata[POSES_NAME]  # a metadata file listing such a name
    (sample_server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata))
    sample_data.list_datasets()
    sample_server.requests.clear()
    with pytest.raises(SampleDataError, match="is not a sample name") as caught:
        sample_data.fetch_dataset(name)
    _not_the_network(str(caught.value))
    assert sample_server.requests == []
    assert not list(sample_server.cache.parent.glob("x.nc"))


def test_a_metadata_frame_name_that_leads_out_of_the_cache_is_refused(sample_server):
    _publish(sample_server)
    metadata = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    metadata[POSES_NAME]["frame"]["file_name"] = "../../escaped.png"
    (sample_server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata))
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset_paths(POSES_NAME)
    message = str(caught.value)
    assert "gives the frame of sample" in message and "'../../escaped.png'" in message
    assert "path separator '/'" in message
    assert not (sample_server.cache.parent / "escaped.png").exists()


@pytest.mark.parametrize("fps", [-5, float("nan"), "abc", True])
def test_a_bad_fps_in_the_metadata_names_the_sample_and_the_file(sample_server, fps):
    _publish(sample_server)
    metadata = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    metadata[POSES_NAME]["fps"] = fps
    (sample_server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata))
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    message = str(caught.value)
    assert f"gives sample {POSES_NAME} the frame rate (fps)" in message
    assert str(sample_server.cache / "metadata.yaml") in message
    assert f"/poses/{POSES_NAME}" not in sample_server.requests  # before downloading


@pytest.mark.parametrize("name", [None, Path("posebridge_two-mice_2D.nc"), 3])
def test_a_sample_name_that_is_not_text_is_a_type_error(name):
    """A built-in TypeError: "argument of type 'PosixPath' is not iterable"."""
    from posebridge import errors

    with pytest.raises(errors.TypeError, match="a sample name is text"):
        sample_data.fetch_dataset(name)


def test_a_zip_sample_updated_on_the_server_leaves_no_stale_member(sample_server):
    """pooch unpacked the new archive over the old folder: a file the server's archive no
    longer holds stayed, and read as an individual."""
    _publish(sample_server, locusts=("locust_0", "locust_1"))
    folder = sample_data.fetch_dataset_paths(TREX_NAME)["poses"]
    assert sorted(p.name for p in folder.rglob("*.npz")) == ["locust_0.npz", "locust_1.npz"]
    _publish(sample_server, locusts=("locust_0",))
    sample_data.list_datasets(refresh=True)
    folder = sample_data.fetch_dataset_paths(TREX_NAME)["poses"]
    assert sorted(p.name for p in folder.rglob("*.npz")) == ["locust_0.npz"]


# --------------------------------------------------------------------------
# a sample list cut short; the cached list written by many at once


def _cut_points(text: str) -> dict[str, int]:
    trex = text.index(f"{TREX_NAME}:")
    boxes = text.index(f"{BOXES_NAME}:")
    return {
        "in the last sum": text.index("sha256sum: ", trex) + len("sha256sum: ") + 3,
        "before frame and video": text.index("frame:", trex),
        "in the second sample": text.index("source_software:", boxes),
    }


@pytest.mark.parametrize(
    "where", ["in the last sum", "before frame and video", "in the second sample"]
)
def test_a_sample_list_cut_short_with_no_length_is_refused_and_not_cached(sample_server, where):
    """Cut with no Content-Length, the list parsed: it was cached without the samples
    after the cut, and a sum cut to 'cec' was then blamed on the server's YAML."""
    _publish(sample_server)
    text = (sample_server.root / "metadata.yaml").read_text()
    cut = len(text[: _cut_points(text)[where]].encode())
    sample_server.faults["/metadata.yaml"] = ("unsized", cut)
    with pytest.warns(UserWarning, match="cut short in transit") as caught:
        names = sample_data.list_datasets()
    assert names == list(BUNDLED)
    message = str(caught[0].message)
    assert f"downloaded from {sample_server.url}/metadata.yaml is incomplete" in message
    assert "list_datasets(refresh=True)" in message
    assert sorted(p.name for p in sample_server.cache.iterdir()) == []  # nor a temporary
    del sample_server.faults["/metadata.yaml"]
    assert TREX_NAME in sample_data.list_datasets()


def test_a_sample_list_cut_short_against_its_length_is_refused_and_not_cached(sample_server):
    """Cut between two samples, a list announcing its length was cached: the last
    samples were then unknown names."""
    _publish(sample_server)
    text = (sample_server.root / "metadata.yaml").read_text()
    cut = len(text[: text.index(f"{TREX_NAME}:")].encode())  # a whole shorter list
    sample_server.faults["/metadata.yaml"] = ("sized", cut)
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(BOXES_NAME)
    message = str(caught.value)
    assert f"The download of {sample_server.url}/metadata.yaml" in message
    assert "was cut short" in message and "Nothing was kept" in message
    _not_the_network(message)
    assert sorted(p.name for p in sample_server.cache.iterdir()) == []
    del sample_server.faults["/metadata.yaml"]
    assert TREX_NAME in sample_data.list_datasets()


def test_a_malformed_sum_in_the_cached_list_says_to_refresh_it(sample_server):
    _publish(sample_server)
    sample_data.list_datasets()
    cached = sample_server.cache / "metadata.yaml"
    good = _sha256(sample_server.root / "bboxes" / BOXES_NAME)
    cached.write_text(cached.read_text().replace(good, "cec"))
    with pytest.raises(SampleDataError, match="64 hexadecimal digits") as caught:
        sample_data.fetch_dataset(BOXES_NAME)
    assert "list_datasets(refresh=True)" in str(caught.value)
    sample_data.list_datasets(refresh=True)
    assert sample_data.fetch_dataset(BOXES_NAME).attrs["ds_type"] == "bboxes"


def test_threads_refreshing_the_sample_list_at_once_all_store_it_and_readers_see_it_whole(
    sample_server,
):
    """Writers of the cached metadata.yaml at once, and readers of it meanwhile: none may
    fail, warn, or read a part of it (f139's thread could not store it)."""
    import warnings

    _publish(sample_server)
    expected = yaml.safe_load((sample_server.root / "metadata.yaml").read_text())
    sample_data.list_datasets()
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def refresh() -> None:
        start.wait()
        for _ in range(5):
            assert sample_data.list_datasets(refresh=True)[len(BUNDLED) :] == list(expected)

    def read() -> None:
        start.wait()
        for _ in range(40):
            assert sample_data.list_datasets()[len(BUNDLED) :] == list(expected)

    def recorded(work) -> None:
        try:
            work()
        except BaseException as error:  # recorded, asserted below
            errors.append(error)

    threads = [threading.Thread(target=recorded, args=(refresh,)) for _ in range(6)]
    threads += [threading.Thread(target=recorded, args=(read,)) for _ in range(6)]
    with warnings.catch_warnings():  # once, here: the filters are the process's
        warnings.simplefilter("error")  # a warning in a thread is a failure here
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert yaml.safe_load((sample_server.cache / "metadata.yaml").read_text()) == expected
    assert [p.name for p in sample_server.cache.iterdir()] == ["metadata.yaml"]


def _without_sum(server, name: str) -> None:
    metadata = yaml.safe_load((server.root / "metadata.yaml").read_text())
    metadata[name]["sha256sum"] = None
    (server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))


def test_an_unchecked_sample_cut_short_without_a_length_says_the_cached_copy_may_be_damaged(
    sample_server,
):
    """Cached for good: its read error blamed the file, and said nothing of the download."""
    written = _publish(sample_server)[BOXES_NAME]
    _without_sum(sample_server, BOXES_NAME)
    sample_server.faults[f"/bboxes/{BOXES_NAME}"] = ("unsized",)
    cached = sample_server.cache / "bboxes" / BOXES_NAME
    with pytest.warns(UserWarning, match="no sha256"), pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(BOXES_NAME)
    message = str(caught.value)
    assert f"cached download of sample {BOXES_NAME} could not be read" in message
    assert "cut short" in message and f"delete {cached} to download it again" in message
    del sample_server.faults[f"/bboxes/{BOXES_NAME}"]
    cached.unlink()  # as the message says
    with pytest.warns(UserWarning, match="no sha256"):
        ds = sample_data.fetch_dataset(BOXES_NAME)
    np.testing.assert_array_equal(ds.shape.values, written.shape.values)


@pytest.mark.parametrize("path", ["/metadata.yaml", f"/poses/{POSES_NAME}"])
def test_a_redirect_loop_is_said_to_be_one(sample_server, path):
    _publish(sample_server)
    sample_server.faults[path] = ("loop",)
    with pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(POSES_NAME)
    message = str(caught.value)
    assert f"The server redirects {sample_server.url}{path}" in message
    assert "in a loop" in message
    _not_the_network(message)
