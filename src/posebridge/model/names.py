"""The names of the data model: dims, dataset kinds, and the extras registry.

:data:`EXTRAS` maps each name kept beyond the core model to what it is (a
coordinate, variable, attribute or dim, its dims and dtype, and where it comes
from). Readers add these items; writers that can store an item read it back by
the same name, so a round trip through any format that can hold it loses
nothing. This module imports nothing of posebridge.
"""

from __future__ import annotations

__all__ = [
    "BBOXES",
    "BBOXES_DIMS",
    "EXTRAS",
    "FRAME",
    "INDIVIDUAL",
    "INSTANCE_KIND",
    "KEYPOINT",
    "LEGACY_DIM_NAMES",
    "POSES",
    "POSES_DIMS",
    "PREDICTED_INSTANCES",
    "ROW_LIST",
    "ROW_LIST_ATTRS",
    "SPACE",
    "SPACE_NAMES",
    "TIME",
    "TIME_UNITS",
    "VIEW",
]

POSES = "poses"
BBOXES = "bboxes"
TIME, SPACE, KEYPOINT, INDIVIDUAL = "time", "space", "keypoint", "individual"
#: Optional last dim of a poses or bboxes dataset holding several camera views.
VIEW = "view"
POSES_DIMS = (TIME, SPACE, KEYPOINT, INDIVIDUAL)
BBOXES_DIMS = (TIME, SPACE, INDIVIDUAL)
SPACE_NAMES = ("x", "y", "z")
LEGACY_DIM_NAMES = {"keypoints": KEYPOINT, "individuals": INDIVIDUAL}
TIME_UNITS = ("frames", "seconds")
#: The attribute saying every instance of a poses dataset is a prediction, scored or not
#: (its value :data:`PREDICTED_INSTANCES`; see ``EXTRAS``).
INSTANCE_KIND = "instance_kind"
PREDICTED_INSTANCES = "predicted"


#: Name of the coordinate along ``time`` holding the video frame number of each
#: time step, present when ``time`` is in seconds and the frames are known.
FRAME = "frame"

#: How :data:`EXTRAS` marks an attribute that is a JSON list of rows (objects), each
#: naming the video it is about under ``video``: when datasets combine (individuals side
#: by side, or camera views) the result lists the union of the inputs' rows, in input
#: order, each once.
ROW_LIST = "attr str (JSON list of rows, unioned when datasets combine)"

#: Everything a reader may add beyond the core model, by name.
EXTRAS: dict[str, str] = {
    # coordinates along time
    FRAME: "coord (time,) int64: video frame number of each time step, kept when time is in "
    "seconds or counts frames from a later origin (VIA tracks read with "
    "use_frame_numbers_from_file=False)",
    "image_path": "coord (time,) str: image file of each labelled frame, '/'-separated, '' for "
    "none (labels; DeepLabCut / LightningPose predictions on images; VIA tracks)",
    "content": "attr str: 'labels' for labelled frames (training annotations), see "
    "posebridge.labels; absent for predictions",
    "video": "coord (time,) str: labels only: the video (file path, or the images' folder) of "
    "each labelled frame",
    "visible": "variable (time, keypoint, individual) float: labels only: labeller's flag of "
    "each point, 2 visible, 1 LightningPose's present-but-unlabelled, 0 marked not visible "
    "(its position is NaN, whatever coordinates the source keeps), NaN none",
    "complete": "variable (time, keypoint, individual) float: SLEAP labels only: the "
    "per-point complete flag of user instances, 1 a person placed or confirmed the point, 0 "
    "not, NaN no instance; present only when it differs from the default (1 for a point "
    "placed or marked not visible, 0 else); written back to .slp and sleap-io",
    "predicted_position": "variable (time, space, keypoint, individual) float (with "
    "predicted_confidence, predicted_score): SLEAP labels: the prediction each user instance was "
    "made from (from_predicted)",
    "predicted_tracking_score": "variable (time, individual) float: SLEAP labels: the "
    "tracking score of that prediction, NaN where none (only with predicted_position)",
    # images of labelled frames (COCO, YOLO pose, Label Studio)
    "image_id": "coord (time,) int64, or str when a COCO file names images by texts: COCO "
    "image id of each row (ground truth and results refer to images by it; written back so "
    "that results match their ground truth)",
    "image_width": "coord (time,) int64: width in pixels of the image of each row, -1 when "
    "unknown (COCO images, YOLO image headers or image_size=, Label Studio original_width)",
    "image_height": "coord (time,) int64: height in pixels of the image of each row, -1 when "
    "unknown",
    "bbox": "variable (time, box=4, individual) float: each instance's bounding box in "
    "pixels, box = x, y (top-left corner), width, height (COCO bbox order); NaN when none",
    "box": "dim (box,) str: x, y, width, height: the components of bbox",
    "instance_area": "variable (time, individual) float: COCO annotation area in square "
    "pixels (the object scale of COCOeval's OKS), NaN when none",
    "category": "variable (time, individual) str: class name of each instance, '' where no "
    "instance (COCO category name, YOLO names[cls], Label Studio rectangle label)",
    "category_id": "variable (time, individual) int64: class id of each instance, -1 where "
    "none (COCO category_id, YOLO cls)",
    "coco_categories": "attr str: JSON list of the COCO categories read, each with id, name, "
    "supercategory, and skeleton (pairs of keypoint names) when the category's own is not "
    "skeleton_edges ([] for none); the COCO writer writes them back, each with its skeleton",
    # skeleton
    "skeleton_edges": "variable (edge, edge_node=2) str: pairs of keypoint names joined by the "
    "skeleton, in the source's edge order",
    "skeleton_symmetries": "variable (symmetry, edge_node=2) str: pairs of keypoint names that "
    "mirror each other (SLEAP)",
    "yolo_flip_idx": "attr str: 'identity' when a YOLO data.yaml's flip_idx maps every "
    "keypoint to itself (left-right flips of the images are right, with nothing to swap); the "
    "YOLO writer writes that flip_idx back (pairs that swap are in skeleton_symmetries)",
    "skeleton_name": "attr str: the skeleton's name (SLEAP .slp and sleap-io analysis files, "
    "the ndx-pose Skeleton shared by a file's PoseEstimation containers); SLEAP and NWB "
    "writers name the skeleton after it",
    # per-instance scores
    "instance_score": "variable (time, individual) float: the detector's score of each instance "
    "(SLEAP; COCO results 'score'; Label Studio prediction score)",
    "tracking_score": "variable (time, individual) float: the tracker's score of each instance "
    "(SLEAP)",
    "sleap_suggestions": f"{ROW_LIST}: the frames a SLEAP project suggests for "
    "labelling, each {video: path (an image sequence's first image), frame_idx, group}; "
    "written back by the .slp writer for the videos it writes (others left out, with a "
    "warning)",
    "sleap_videos": "attr str: JSON list, a labels dataset's project videos in the file's "
    "order, also those without labelled frames (SLEAP .slp, NWB PoseTraining source_videos); "
    "the .slp and NWB labels writers and to_sleap_io keep that order",
    "sleap_provenance": "attr str: JSON object, the provenance of the .slp or analysis .h5 "
    "file read (model paths, SLEAP version, command ...); the .slp and analysis writers "
    "write it back with their own posebridge_content key",
    "sleap_labels_path": "attr str: the .slp project a SLEAP analysis .h5 file was exported "
    "from (its /labels_path); the analysis writer writes it back",
    # attributes
    "scorer": "attr str: the DeepLabCut / LightningPose scorer (network) name",
    "video_path": "attr str: the video the poses were estimated on",
    "video_width": "attr int: frame width of that video in pixels",
    "video_height": "attr int: frame height of that video in pixels",
    "frame_path": "attr str: a still frame of the video (sample data)",
    "sleap_video_facts": "attr str: JSON object, video path (an image sequence's first "
    "image) -> what a SLEAP .slp or analysis file says about that video: shape (frames, "
    "height, width, channels), grayscale, fps, bgr (when false), channels; written back by "
    "the .slp and analysis writers (what no source said is left out, not made up)",
    # DeepLabCut / LightningPose
    "dlc_index_style": "attr str: how DeepLabCut labels index their images, 'path' (one "
    "'labeled-data/<video>/<img>' column) or 'levels' (3 index columns); set with image_path",
    "dlc_layout": "attr str: the columns of the DeepLabCut / LightningPose table read, "
    "'multi-animal' (scorer, individuals, bodyparts, coords) or 'single-animal' (no "
    "individuals level); a one-animal dataset read from a multi-animal file is written back "
    "to DeepLabCut with its individuals level (and name)",
    "data_split": "coord (time,) str: LightningPose's 'set' column of labelled-frame "
    "predictions (train, validation, test, unused); YOLO pose: the data.yaml split (train, "
    "val, test) each image is listed under",
    "<dlc coord>": "variable (time, keypoint, individual) float, one per DeepLabCut / "
    "LightningPose coord beyond x, y, z, likelihood, named after the coord: EKS's x_ens_median, "
    "y_ens_median, x_ens_var, y_ens_var, x_posterior_var, y_posterior_var; LightningPose labels' "
    "visible (a coord that clashes with a model name gets '_coord')",
    # NWB / ndx-pose
    "view": "dim (view,) str, optional last dim of position/shape/confidence: camera view (NWB "
    "per-camera PoseEstimation containers; movement's load_multiview_dataset)",
    "device": "attr str: name of the camera Device linked to the NWB PoseEstimation",
    "source_software_version": "attr str: version of the software that made the poses",
    "space_unit": "attr str: unit of position ('pixels', 'millimeters', ...; NWB unit)",
    "reference_frame": "attr str: what the positions are relative to, as the NWB "
    "PoseEstimationSeries state it (kept when every series read states the same); the NWB "
    "writer writes it back (without it: the image's top-left corner for pixels, or no origin "
    "claimed for poses read from NWB)",
    "confidence_definition": "attr str: what the confidence values mean, as the NWB "
    "PoseEstimationSeries state it (kept when every series read states the same); written "
    "back to NWB",
    "pose_estimation_description": "attr str: the description of the NWB PoseEstimation "
    "containers read (kept when they share one their writer gave, not posebridge's own); "
    "written back to NWB",
    "instance_kind": "attr str: 'predicted' when every instance of a poses dataset is a "
    "prediction, scored or not (an NWB PoseEstimation holds estimated poses, its confidence "
    "optional; an .slp whose instances read are all predictions, some unscored); kept by a "
    "merge only when every input states it; to_sleap_io and the .slp writer then write an "
    "instance without any score as a PredictedInstance with NaN scores, as sleap-io reads a "
    "PoseEstimation (absent: an instance without any score is a user instance)",
    "nwb_containers": "attr str: comma-separated paths of the NWB PoseEstimation containers "
    "read (e.g. 'processing/behavior/PoseEstimation')",
    "session_description": "attr str: NWB session description",
    "session_start_time": "attr str: NWB session start time, ISO 8601 with time zone",
    "timestamps_reference_time": "attr str: NWB timestamps_reference_time (the moment the "
    "series' times count from), ISO 8601 with time zone, kept when it is not "
    "session_start_time; written back to NWB unless given",
    "session_id": "attr str: NWB session id; likewise lab, institution, experiment_description "
    "(written back to NWB unless given)",
    "experimenter": "attr str, or list of str when several: NWB experimenters; likewise "
    "keywords (written back to NWB as a list)",
    "device_description": "attr str: the description of the NWB camera Device (one device); "
    "likewise device_manufacturer (read from the Device or its DeviceModel; written in a "
    "DeviceModel); written back with that device",
    "subject_id": "attr str: NWB Subject id; likewise subject_species, subject_sex, "
    "subject_age, subject_age__reference (what the age counts from, kept when it is not "
    "NWB's default 'birth'), subject_description, subject_strain, subject_genotype, "
    "subject_weight, subject_date_of_birth",
    # centroid trackers (idtracker.ai, TRex)
    "body_length": "attr float: idtracker.ai's estimate of an animal's body length, in the unit "
    "of position (pixels); idtracker.ai's 'body_length'",
    "area": "variable (time, individual) float: area of each animal's blob in pixels "
    "(idtracker.ai's 'areas')",
    # DANNCE
    "sample_id": "coord (time,) int64: DANNCE's sampleID of each prediction, a sample id of "
    "DANNCE's sync table (makeSyncFiles.py: frame * 1000 / fps + 1), not a frame number; time "
    "holds the frames when the reader is given sync=, else these ids",
    # Anipose triangulation
    "reprojection_error": "variable (time, keypoint, individual) float: mean reprojection error "
    "of each triangulated point in pixels (Anipose '<kp>_error')",
    "camera_count": "variable (time, keypoint, individual) float: number of cameras each point "
    "was triangulated from, NaN when unknown (Anipose '<kp>_ncams')",
    "anipose_alignment_matrix": "attr float64[9]: Anipose's axis-alignment matrix M, row-major "
    "(M_00..M_22); aligned = raw @ M.T - center, so raw = (aligned + center) @ inv(M.T) (M need "
    "not be orthogonal)",
    "anipose_alignment_center": "attr float64[3]: Anipose's alignment center (center_0..2), "
    "subtracted after M",
}

#: The attributes :data:`EXTRAS` marks :data:`ROW_LIST`.
ROW_LIST_ATTRS: tuple[str, ...] = tuple(
    name for name, meaning in EXTRAS.items() if meaning.startswith(ROW_LIST)
)
