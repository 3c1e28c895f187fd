"""The cameras and the video of poses written to NWB: the ``Device`` each
PoseEstimation links (configured, given, the dataset's, or the file's one camera on
append; one per camera view) and the external ``ImageSeries`` of the source video."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge import errors, model
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import PoseBridgeError, user_stacklevel
from posebridge.formats.nwb.common import (
    DEFAULT_DEVICE,
    container_name,
    relative_to_folder,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.time_plan import TimePlan


def camera_device(
    nwbfile: Any,
    config: NWBFileSaveConfig,
    individual: str | None,
    ds: xr.Dataset,
    view: tuple[str, str] | None = None,
) -> Any:
    """The camera Device: named as configured, else as the dataset's one ``device``
    (read from NWB), else ``camera`` (:data:`DEFAULT_DEVICE`).

    Appended without views to a file whose poses link one camera, the poses
    link that camera, not a second one the reader would take for a second view,
    when nothing names their own: no name configured, and the dataset's
    ``device`` absent or posebridge's default ``camera`` (which every file
    posebridge wrote without a camera name reads back with).

    With ``view`` = (view, NWB-safe label): that view's camera, named after
    the view, or ``<configured name>_<view>`` when a name is configured (one
    Device is one camera, so one name cannot serve several views). An existing
    device of that name is reused (created once per view, shared by the
    view's PoseEstimation containers).
    """
    kwargs = config.resolve("device_kwargs", individual)
    if view is not None:
        given = kwargs.get("name")
        kwargs["name"] = f"{given}_{view[1]}" if given else view[1]
        if kwargs["name"] in nwbfile.devices:
            return nwbfile.devices[kwargs["name"]]
        kwargs.setdefault(
            "description",
            f"Camera of the view {view[0]!r}: it recorded the video the poses of that view "
            "were estimated on.",
        )
        return new_device(nwbfile, kwargs)
    known = ds.attrs.get("device")
    one = isinstance(known, str) and known and ", " not in known
    unnamed = not one or known == DEFAULT_DEVICE  # no camera of its own
    if "name" not in kwargs and unnamed and len(used := devices_in_use(nwbfile)) == 1:
        return used[0]  # appended without views: the file's one camera, not a second (a view)
    name = kwargs.setdefault("name", container_name(known) if one else DEFAULT_DEVICE)
    if name in nwbfile.devices:
        return nwbfile.devices[name]
    if one and name == container_name(known):  # the device read from NWB: its details too
        for key in ("description", "manufacturer"):
            if isinstance(ds.attrs.get(f"device_{key}"), str) and ds.attrs[f"device_{key}"]:
                kwargs.setdefault(key, ds.attrs[f"device_{key}"])
    kwargs.setdefault("description", "Camera that recorded the video the poses were estimated on.")
    return new_device(nwbfile, kwargs)


def warn_cameras_not_kept(ds: xr.Dataset, linked: list[str], out_path: Any) -> None:
    """Warn when the dataset names several cameras (``device`` read from a PoseEstimation
    that links several Devices, as ndx-pose 0.2 / 0.3 allowed) and they are not what the
    written PoseEstimation containers link.

    ndx-pose 0.4 links one Device per PoseEstimation (passing several raises), and
    such a source does not say which camera recorded which poses, so the written
    poses link one camera and the other names are lost; this says so.

    Examples
    --------
    >>> import numpy as np, posebridge, warnings
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1))).assign_attrs(device="cam1, cam2")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_cameras_not_kept(ds, ["camera"], "out.nwb")
    >>> "cam1, cam2" in str(caught[0].message)
    True
    """
    known = ds.attrs.get("device")
    if not isinstance(known, str) or ", " not in known or model.VIEW in ds.dims:
        return
    cameras = known.split(", ")
    if sorted(cameras) == sorted(linked):
        return
    where = out_path if out_path is not None else "the in-memory NWBFile"
    said = ", ".join(repr(name) for name in linked) or "no Device"
    warnings.warn(
        f"{where}: the poses were read linked to {len(cameras)} cameras ({known}) at once, "
        "as ndx-pose before 0.4 allowed, with nothing saying which camera recorded which "
        f"poses; ndx-pose 0.4 links one Device per PoseEstimation, so they are written "
        f"linked to {said} and the cameras {known} are not kept. Name the camera with "
        "device_kwargs={'name': ...}, or give the poses a view dimension (one camera per "
        "view) if each camera has poses of its own.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def new_device(nwbfile: Any, kwargs: dict[str, Any]) -> Any:
    """A new camera Device of ``nwbfile``, its ``manufacturer`` (when given) in a linked
    ``DeviceModel``, where pynwb 3.1+ (NWB 2.9) keeps it.

    pynwb deprecates ``Device(manufacturer=...)``; the manufacturer goes to a
    ``DeviceModel`` named ``<device name>_model`` (reused when the file has one of
    that name and manufacturer, else the next free ``_model_<k>``), linked as the
    Device's ``model``. Readers take a Device's manufacturer from either place.

    Examples
    --------
    >>> import datetime as dt, pynwb
    >>> nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    >>> camera = new_device(nwbfile, {"name": "cam", "manufacturer": "Basler"})
    >>> camera.model.name, camera.model.manufacturer, camera.manufacturer
    ('cam_model', 'Basler', None)
    """
    kwargs = dict(kwargs)
    manufacturer = kwargs.pop("manufacturer", None)
    if manufacturer is None or kwargs.get("model") is not None:
        if manufacturer is not None:
            kwargs["manufacturer"] = manufacturer  # beside a model given: as asked
        model = kwargs.get("model")
        _refuse_a_camera_named_models(nwbfile, kwargs.get("name"), manufacturer=model is not None)
        adopt_model(nwbfile, model, "the device metadata's 'model'")
        return nwbfile.create_device(**kwargs)
    _refuse_a_camera_named_models(nwbfile, kwargs["name"], manufacturer=True)
    base = f"{kwargs['name']}_model"
    name, k = base, 1
    while name in nwbfile.device_models:  # one loop per name taken: a few at most
        if nwbfile.device_models[name].manufacturer == manufacturer:
            return nwbfile.create_device(**kwargs, model=nwbfile.device_models[name])
        k += 1
        name = f"{base}_{k}"
    model = nwbfile.create_device_model(name=name, manufacturer=str(manufacturer))
    return nwbfile.create_device(**kwargs, model=model)


#: The group pynwb keeps DeviceModels in, under ``/general/devices``: a Device of that
#: name is the same HDF5 group, and pynwb cannot read the file back.
DEVICE_MODELS_GROUP = "models"


def _refuse_a_camera_named_models(nwbfile: Any, name: Any, *, manufacturer: bool) -> None:
    """Refuse a camera Device named ``models`` in a file that holds (or, given a
    ``manufacturer``, will hold) a DeviceModel, or a DeviceModel beside such a camera.

    Examples
    --------
    >>> import datetime as dt, pynwb
    >>> nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    >>> _refuse_a_camera_named_models(nwbfile, "models", manufacturer=False)  # no model
    >>> _refuse_a_camera_named_models(nwbfile, "models", manufacturer=True)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: a camera Device named 'models' ...
    """
    models = manufacturer or len(nwbfile.device_models) > 0
    named = name == DEVICE_MODELS_GROUP or (
        manufacturer and DEVICE_MODELS_GROUP in nwbfile.devices
    )
    if models and named:
        raise PoseBridgeError(
            f"a camera Device named {DEVICE_MODELS_GROUP!r} cannot sit beside a DeviceModel "
            "(where a camera's manufacturer is written): pynwb keeps DeviceModels in "
            f"/general/devices/{DEVICE_MODELS_GROUP}, the same group, and could not read the "
            "file back. Name the camera otherwise (device_kwargs={'name': ...}, or the view), "
            "or leave its manufacturer out."
        )


def adopt_model(nwbfile: Any, model: Any, where: str) -> None:
    """Add a given ``DeviceModel`` (a camera's ``model``) to ``nwbfile`` when it is in no
    file yet, as a Device given is added; one of another file, or another model of a name
    the file holds, is refused naming ``where`` (hdmf raised its own error when writing).

    Examples
    --------
    >>> import datetime as dt, pynwb
    >>> nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    >>> model = pynwb.device.DeviceModel(name="cam_model", manufacturer="Basler")
    >>> adopt_model(nwbfile, model, "model")
    >>> list(nwbfile.device_models)
    ['cam_model']
    """
    import pynwb

    if model is None or not isinstance(model, pynwb.device.DeviceModel):
        return  # not a DeviceModel: pynwb's own check names it
    if model.parent is not None and model.parent is not nwbfile:
        raise PoseBridgeError(
            f"{where}: the DeviceModel {model.name!r} belongs to another NWBFile; give a new "
            "one (pynwb.device.DeviceModel(...)), which is added to this file."
        )
    if model.parent is None:
        held = nwbfile.device_models.get(model.name)
        if held is not None and held is not model:
            raise PoseBridgeError(
                f"{where}: the file already holds another DeviceModel named {model.name!r}; "
                "give that one, or name the new one otherwise."
            )
        nwbfile.add_device_model(model)


#: :func:`given_device` when the metadata names no device.
NOT_GIVEN = object()


def given_device(
    nwbfile: Any, kwargs: dict[str, Any], view: str | None, out_path: Path | None
) -> Any:
    """The Device the PoseEstimation metadata gives (its ``device`` or ``devices`` key,
    taken out of ``kwargs``), ``None`` for ``devices=[]`` (none, as sleap-io links
    then), else :data:`NOT_GIVEN`.

    ndx-pose links one ``device`` (``devices`` is its deprecated list, which it
    refuses beside ``device``): a list of one is that one. A Device not yet in
    a file is added to ``nwbfile``; one of another file, another object of a name
    the file's devices hold, a list of several, or a device for poses with
    camera views (one Device per view) are refused, naming the key.

    Examples
    --------
    >>> import datetime as dt, pynwb
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> cam = pynwb.device.Device(name="top")
    >>> kwargs = {"devices": [cam], "scorer": "me"}
    >>> given_device(nwbfile, kwargs, None, None) is cam, kwargs, list(nwbfile.devices)
    (True, {'scorer': 'me'}, ['top'])
    >>> given_device(nwbfile, {"devices": []}, None, None) is None
    True
    """
    import pynwb

    keys = [key for key in ("device", "devices") if key in kwargs]
    if not keys:
        return NOT_GIVEN
    where = out_path if out_path is not None else "the in-memory NWBFile"
    said = f"{where}: the PoseEstimation metadata key {keys[-1]!r}"
    if len(keys) == 2:
        raise PoseBridgeError(
            f"{where}: the PoseEstimation metadata gives both 'device' and 'devices'; "
            "ndx-pose links one device: give 'device' only."
        )
    given = kwargs.pop(keys[0])
    if keys[0] == "devices":
        if given is None:
            given = []
        if not isinstance(given, list | tuple) or len(given) > 1:
            raise PoseBridgeError(
                f"{said} must be a list of at most one pynwb Device (ndx-pose links one "
                f"device per PoseEstimation; 'devices' is its deprecated list), got "
                f"{errors.brief(given)}. Give the camera as 'device'."
            )
        given = given[0] if given else None
    if given is None:
        return None
    if not isinstance(given, pynwb.device.Device):
        raise PoseBridgeError(
            f"{said} must be a pynwb Device (e.g. nwbfile.create_device(...)), got "
            f"{type(given).__name__}."
        )
    if view is not None:
        raise PoseBridgeError(
            f"{said}: the poses have camera views, each linked to its own Device (named "
            "after the view); one device cannot be every view's. Leave the key out, or "
            "write one view at a time."
        )
    parent = given.parent
    if parent is not None and parent is not nwbfile:
        raise PoseBridgeError(
            f"{said}: the Device {given.name!r} belongs to another NWBFile; give a Device "
            "of this file (nwbfile.create_device) or a new one (pynwb.device.Device(...)), "
            "which is added to it."
        )
    if parent is None:
        if given.name in nwbfile.devices:
            raise PoseBridgeError(
                f"{said}: the file already holds another Device named {given.name!r}; "
                "give that one, or name the new one otherwise."
            )
        model = getattr(given, "model", None)
        _refuse_a_camera_named_models(nwbfile, given.name, manufacturer=model is not None)
        adopt_model(nwbfile, model, f"{said}: its model")
        nwbfile.add_device(given)
    return given


def devices_in_use(nwbfile: Any, *, any_container: bool = False) -> list[Any]:
    """The Devices the file's PoseEstimation containers link, each once (with
    ``any_container``: the containers themselves, whether they link one or not)."""
    import ndx_pose

    found: list[Any] = []
    for module in nwbfile.processing.values():
        for container in module.data_interfaces.values():
            if any_container and isinstance(container, ndx_pose.PoseEstimation):
                found.append(container)
                continue
            with dropping_warnings(DeprecationWarning, message=r"PoseEstimation\.devices"):
                device = getattr(container, "device", None) or getattr(container, "devices", None)
            if isinstance(container, ndx_pose.PoseEstimation) and device is not None:
                for each in device if isinstance(device, list | tuple) else [device]:
                    if not any(each is seen for seen in found):
                        found.append(each)
    return found


def source_video_series(
    nwbfile: Any,
    ds: xr.Dataset,
    video: str,
    out_path: Path | None,
    plan: TimePlan,
    device: Any,
    config: NWBFileSaveConfig,
    first_series: Any,
) -> Any:
    from pynwb.image import ImageSeries

    kwargs = config.resolve("video_kwargs", None)
    name = kwargs.pop("name", "SourceVideo")
    if name in nwbfile.acquisition:
        return nwbfile.acquisition[name]
    location = str(video)
    if out_path is not None:
        location = relative_to_folder(location, out_path.parent)
        if not os.path.exists(video):
            warnings.warn(
                f"video {video} does not exist; its path is written anyway.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
    frames = model.frame_numbers(ds)
    count = int(frames.max()) + 1 if frames is not None and frames.size else ds.sizes["time"]
    kwargs.setdefault("description", "The video the poses were estimated on (external file).")
    timing: dict[str, Any]
    fps = ds.attrs.get("fps")
    if ds.attrs.get("time_unit") == "frames":
        timing = {"rate": 1.0, "starting_time": 0.0, "num_samples": count}
    elif plan.frame_map is not None:  # frame k at start + (k - first) / rate, as the poses say
        start, rate, first = plan.frame_map
        timing = {"rate": rate, "starting_time": start - first / rate, "num_samples": count}
    elif fps:
        timing = {"rate": float(fps), "starting_time": 0.0, "num_samples": count}
    elif plan.timestamps is not None:
        timing = {"timestamps": first_series}
    else:
        timing = {"rate": plan.rate, "starting_time": plan.starting_time, "num_samples": count}
    width, height = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if width and height:
        kwargs.setdefault("dimension", [int(width), int(height)])
    series = ImageSeries(
        name=name,
        format="external",
        external_file=[location],
        starting_frame=[0],
        device=device,
        **timing,
        **kwargs,
    )
    nwbfile.add_acquisition(series)
    return series


def dataset_video(ds: xr.Dataset) -> str | None:
    """The dataset's own ``video_path``, when that file exists (else ``None``).

    A relative path is looked for from the working folder, then beside the file the
    dataset was read from (``source_file``: a .slp names its video relative to itself).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> dataset_video(posebridge.from_numpy(np.zeros((2, 2, 1, 1)))) is None
    True
    """
    video = ds.attrs.get("video_path")
    if not video:
        return None
    video = str(video)
    if os.path.isfile(video):
        return video
    source = ds.attrs.get("source_file")
    if source and not os.path.isabs(video):
        beside = os.path.join(os.path.dirname(str(source)), video)
        if os.path.isfile(beside):
            return beside
    return None


def files_named(out_paths: list[Path] | None, count: int) -> str:
    """The files of one save, for a message: the one file, or the first and how many more.

    Examples
    --------
    >>> files_named([Path("out_1.nwb"), Path("out_2.nwb"), Path("out_3.nwb")], 3)
    'out_1.nwb and its 2 sibling files'
    >>> files_named(None, 1)
    'the in-memory NWBFile'
    """
    if not out_paths:
        return "the in-memory NWBFile" if count == 1 else f"the {count} in-memory NWBFiles"
    if len(out_paths) == 1:
        return str(out_paths[0])
    return f"{out_paths[0]} and its {len(out_paths) - 1} sibling files"


def refuse_a_device_in_several_files(
    config: NWBFileSaveConfig, plan: list[list[str]], out_paths: list[Path] | None
) -> None:
    """Refuse one pynwb ``Device`` object given (PoseEstimation metadata ``device`` or
    ``devices``) for the PoseEstimations of several files of one write (one per
    individual): a pynwb object belongs to one ``NWBFile``, so the second file could
    not link it. Checked before any file is built.

    Examples
    --------
    >>> import pynwb
    >>> cam = pynwb.device.Device(name="cam")
    >>> config = NWBFileSaveConfig(pose_estimation_kwargs={"device": cam})
    >>> refuse_a_device_in_several_files(config, [["a", "b"]], None)  # one file: fine
    >>> refuse_a_device_in_several_files(config, [["a"], ["b"]], None)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: the 2 in-memory NWBFiles: the PoseEstimation metadata ...
    """
    if len(plan) < 2:
        return
    files_of: dict[int, tuple[Any, list[int]]] = {}  # id(device): (device, files)
    for n, group in enumerate(plan):
        for individual in group:
            kwargs = config.resolve("pose_estimation_kwargs", individual)
            given = kwargs.get("device", kwargs.get("devices"))
            for device in given if isinstance(given, list | tuple) else [given]:
                if device is not None and not isinstance(device, str | bytes):
                    files = files_of.setdefault(id(device), (device, []))[1]
                    if n not in files:
                        files.append(n)
    shared = next(((d, f) for d, f in files_of.values() if len(f) > 1), None)
    if shared is None:
        return
    device, files = shared
    name = getattr(device, "name", None)
    individuals = [plan[n][0] for n in files]
    per_individual = ", ".join(f"{i!r}: {{'device': Device(...)}}" for i in individuals[:2])
    raise PoseBridgeError(
        f"{files_named(out_paths, len(plan))}: the PoseEstimation metadata gives one Device "
        f"object ({name!r}) for the individuals {', '.join(map(repr, individuals))}, which are "
        "written one file each (split_individuals), and a pynwb Device belongs to one NWBFile: "
        "the second file could not link it. Give each individual its own Device "
        f"(pose_estimation_kwargs={{{per_individual}{', ...' * (len(individuals) > 2)}}}), "
        "or the camera by name and description (device_kwargs={'name': ..., "
        "'description': ...}: a Device made in every file), or write one file "
        "(split_individuals=False)."
    )
