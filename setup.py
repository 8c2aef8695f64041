"""Package layout that pyproject.toml alone cannot say: the theme ships inside the wheel.

The repository keeps the theme in its top-level `templates/` and `static/` folders; the wheel
carries them as `trellis/data/templates/` and `trellis/data/static/` (package data), where
`trellis.package_data` finds them once installed. Every other setting is in pyproject.toml.
"""

from setuptools import find_packages, setup

THEME = {"trellis.data.templates": "templates", "trellis.data.static": "static"}

setup(
    packages=[*find_packages(include=["trellis", "trellis.*"]), *THEME],
    package_dir=THEME,
    package_data={**{package: ["**/*"] for package in THEME}, "trellis.i18n": ["*.po"]},
)
