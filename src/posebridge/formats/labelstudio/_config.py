"""The Label Studio labelling config (XML): keypoint names and their order.

``<KeyPointLabels name=... toName=...>`` holds one ``<Label value=...>`` per
keypoint; ``model_index`` (when every label has one) gives the order a model
uses, else the document order. ``<Image name=... value="$key">`` says which
key of a task's ``data`` holds the image.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from posebridge._files import check_input
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.text_bytes import not_utf8_error

__all__ = ["LabelConfig", "config_xml", "read_config", "refuse_not_xml"]


@dataclass
class LabelConfig:
    """What posebridge uses of a labelling config."""

    keypoints: list[str]
    image_key: str | None
    keypoint_tool: str | None
    box_tool: str | None
    box_labels: list[str]
    #: each ``<Image name>`` and the ``data`` key its ``value="$key"`` names
    images: dict[str, str] | None = None


def read_config(source: str | Path) -> LabelConfig:
    """Parse a labelling config: a file path, or the XML text itself.

    Raises
    ------
    FormatError
        For XML that does not parse (naming the line), or a config without
        ``<KeyPointLabels>``.
    """
    text = str(source)
    where: Path | None = None
    if not text.lstrip().startswith("<"):
        where = check_input(source)  # FileNotFoundError / IsADirectoryError, as load's
        try:
            text = where.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise FormatError(where, f"cannot read the label config ({error}).") from None
        except UnicodeDecodeError:
            error = not_utf8_error(where, spreadsheet=False)  # XML: a text editor's words
            raise FormatError(where, f"the label config: {error.problem}") from None
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise FormatError(where, f"label config: invalid XML ({error}).") from None
    tools = [e for e in root.iter() if e.tag == "KeyPointLabels"]
    if not tools:
        raise FormatError(where, "the label config has no <KeyPointLabels> tag.")
    entries = [label for tool in tools for label in tool if label.tag == "Label"]
    names = [str(label.get("value", "")) for label in entries]
    indices = [label.get("model_index") for label in entries]
    if names and all(i is not None for i in indices):
        try:
            order = sorted(range(len(names)), key=lambda i: int(indices[i] or 0))
        except ValueError:
            raise FormatError(
                where, f"label config: model_index values {indices} are not whole numbers."
            ) from None
        names = [names[i] for i in order]
    if len(set(names)) != len(names):
        raise FormatError(where, f"label config: keypoint labels repeat: {names}.")
    images = [e for e in root.iter() if e.tag == "Image"]
    value = images[0].get("value", "") if images else ""
    boxes = [e for e in root.iter() if e.tag == "RectangleLabels"]
    box_labels = [
        str(label.get("value", "")) for tool in boxes for label in tool if label.tag == "Label"
    ]
    return LabelConfig(
        keypoints=names,
        image_key=value[1:] if value.startswith("$") else None,
        keypoint_tool=tools[0].get("name"),
        box_tool=boxes[0].get("name") if boxes else None,
        box_labels=box_labels,
        images={
            str(e.get("name")): str(e.get("value"))[1:]
            for e in images
            if e.get("name") is not None and str(e.get("value", "")).startswith("$")
        },
    )


#: What XML 1.0 cannot hold, even as a character reference (its ``Char`` production).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def refuse_not_xml(path: Path, texts: dict[str, list[str]]) -> None:
    """Refuse names a labelling config cannot hold (control characters, lone surrogates).

    Examples
    --------
    >>> try:
    ...     refuse_not_xml(Path("c.xml"), {"keypoint": ["nose", "ear\\x01"]})
    ... except PoseBridgeError as error:
    ...     print(str(error)[:57])
    c.xml: the keypoint name(s) 'ear\\x01' hold characters XML
    """
    for what, names in texts.items():
        bad = [name for name in names if _NOT_XML.search(name)]
        if bad:
            found = sorted({c for name in bad for c in _NOT_XML.findall(name)})
            raise PoseBridgeError(
                f"{path}: the {what} name(s) {', '.join(map(repr, bad))} hold characters XML "
                f"1.0 cannot hold ({', '.join(map(repr, found))}); rename them to write a "
                "label config."
            )


def config_xml(
    keypoints: list[str],
    box_labels: list[str],
    *,
    image_key: str,
    to_name: str,
    keypoint_tool: str,
    box_tool: str,
) -> str:
    """A labelling config for ``keypoints`` (with ``model_index``) and the box labels.

    Attribute values are quoted with :func:`xml.sax.saxutils.quoteattr`, so a tab,
    newline or carriage return is written as a character reference and reads back as
    itself (not as the space XML's attribute normalisation makes of it).

    Examples
    --------
    >>> xml = config_xml(
    ...     ["left\\tear"],
    ...     [],
    ...     image_key="image",
    ...     to_name="img",
    ...     keypoint_tool="kp",
    ...     box_tool="box",
    ... )
    >>> '<Label value="left&#9;ear" model_index="0"/>' in xml
    True
    """
    quoted = quoteattr
    lines = [
        "<View>",
        f"  <Image name={quoted(to_name)} value={quoted('$' + image_key)}/>",
        f"  <RectangleLabels name={quoted(box_tool)} toName={quoted(to_name)}>",
        *(f"    <Label value={quoted(b)}/>" for b in box_labels),
        "  </RectangleLabels>",
        f"  <KeyPointLabels name={quoted(keypoint_tool)} toName={quoted(to_name)}>",
        *(f'    <Label value={quoted(k)} model_index="{i}"/>' for i, k in enumerate(keypoints)),
        "  </KeyPointLabels>",
        "</View>",
    ]
    return "\n".join(lines) + "\n"
