"""Is an SVG file inert? An SVG opened on its own runs its scripts on the site's origin.

`svg_problem(data)` parses the file with a real XML parser (defusedxml: the standard
library's expat, with entity declarations and external references refused, so a billion
laughs or an entity hiding markup never gets through) and walks every element: any script,
event handler, `javascript:` (or other script) URL, `data:` URL that is not a raster image,
foreign object, HTML element, animation of a handler or link, or style sheet processing
instruction makes the file unsafe. Anything that is not well-formed SVG is unsafe too: a
browser parses an `.svg` as XML whatever its text says. A regex could be fooled by
entities, namespaces, CDATA and case; a parser sees what the browser will.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"

# Elements that run or embed active content, whatever their namespace.
_ACTIVE_ELEMENTS = frozenset(
    {"script", "foreignobject", "handler", "listener", "iframe", "embed", "object", "frame"}
)
_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
# Schemes that run script when followed or loaded.
_SCRIPT_URL = re.compile(r"^(javascript|vbscript|livescript|mocha)\s*:", re.IGNORECASE)
_DATA_URL = re.compile(r"^data\s*:\s*([^;,]*)", re.IGNORECASE)
_RASTER = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp", "image/avif", "image/bmp"}
)
# Whitespace and controls a browser drops from a URL before reading its scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_STYLE_SCRIPT = re.compile(r"javascript\s*:|expression\s*\(|-moz-binding|behavior\s*:", re.I)


class _Tree(TreeBuilder):
    """The element tree, plus the processing instructions met anywhere (also before the
    root element, where the tree has no place for them)."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target: str, data: str | None = None) -> Element:
        self.instructions.append(target)
        return super().pi(target, data)


def svg_problem(data: bytes) -> str | None:
    """Why the SVG `data` is not safe to publish, or None when it is inert."""
    tree = _Tree()
    parser = DefusedXMLParser(target=tree, forbid_dtd=False, forbid_entities=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as error:
        return f"the SVG declares XML entities or external references ({type(error).__name__})"
    except (ParseError, ValueError) as error:
        return f"not a well-formed SVG file ({error})"
    if any(target.lower() == "xml-stylesheet" for target in tree.instructions):
        return "the SVG has an xml-stylesheet processing instruction (XSLT can run script)"
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        return "not an SVG file (its root element is not <svg> in the SVG namespace)"
    for element in root.iter():
        problem = _element_problem(element)
        if problem:
            return problem
    return None


def _element_problem(element: Element) -> str | None:
    if not isinstance(element.tag, str):  # a comment
        return None
    namespace, name = _split(element.tag)
    name = name.lower()
    if name in _ACTIVE_ELEMENTS:
        return f"the SVG has a <{name}> element"
    if namespace == XHTML_NAMESPACE:
        return f"the SVG has an HTML element (<{name}>)"
    if name == "style" and _STYLE_SCRIPT.search(element.text or ""):
        return "the SVG's style sheet holds script"
    for attribute, value in element.attrib.items():
        _, local = _split(attribute)
        local = local.lower()
        if local.startswith("on"):
            return f"the SVG has an event handler ({local}= on <{name}>)"
        if name in _ANIMATIONS and local == "attributename":
            target = _split(value.strip())[1].lower().rpartition(":")[2]
            if target.startswith("on") or target in ("href", "src"):
                return f"the SVG animates {value.strip()!r} (on <{name}>)"
        url = _URL_NOISE.sub("", value)
        if _SCRIPT_URL.match(url):
            return f"the SVG has a script URL ({local}= on <{name}>)"
        data = _DATA_URL.match(url)
        if data and (data.group(1).lower() not in _RASTER or name == "use"):
            return f"the SVG has a data: URL that is not a raster image ({local}= on <{name}>)"
        if local == "style" and _STYLE_SCRIPT.search(value):
            return f"the SVG has script in a style attribute (on <{name}>)"
    return None


def _split(tag: str) -> tuple[str, str]:
    """`{namespace}name` -> (namespace, name)."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag
