"""Sphinx configuration for portcheck's documentation (``make docs``).

Offline by design: no intersphinx, no remote images; the examples are executed
by sphinx-gallery against the real GNU Octave the rest of portcheck uses.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import portcheck  # noqa: E402

project = "portcheck"
author = "The portcheck contributors"
copyright = "2026, The portcheck contributors"
version = release = portcheck.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

# The migration guide lives at the top of the repository (the tests execute its
# snippets there); a copy is laid into the source tree at each build.
_GUIDE = HERE / "migration_guide"
if _GUIDE.exists():
    shutil.rmtree(_GUIDE)
shutil.copytree(ROOT / "migration_guide", _GUIDE)
# Its README is the checklist that links every page; the toctree makes them part of the site.
with open(_GUIDE / "README.md", "a", encoding="utf-8") as _readme:
    _readme.write("\n```{toctree}\n:hidden:\n:glob:\n\n*\n```\n")

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# install.md includes the README's install section, whose headings start at level 3.
suppress_warnings = ["myst.header"]

autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": True,
}

html_theme = "pydata_sphinx_theme"
html_title = "portcheck"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path: list[str] = []
html_show_sourcelink = False
