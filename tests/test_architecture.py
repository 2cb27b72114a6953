"""The architecture of attn_lib, checked on its source: dependencies run one way, views -> plots ->
lessons -> core (check -> lessons, core), and no folder reaches into another folder's private names.

The import rules read every module's source with ``ast`` (imports inside functions count too),
so they hold for code paths no other test runs. The package checked is the one ``import attn_lib``
finds.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import subprocess
import sys
import types

import pytest

import attn_lib

PACKAGE = pathlib.Path(attn_lib.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: pathlib.Path) -> str:
    """``attn_lib.views.explorer`` for attn_lib/views/explorer.py, ``attn_lib.views`` for its __init__."""
    parts = ("attn_lib", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def folder(name: str) -> str:
    """The folder of attn_lib a module lives in: ``views`` for attn_lib.views.explorer, "" for attn_lib.environment."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else ""


def imports(path: pathlib.Path):
    """(absolute module, imported names, line) for every import statement of a module, anywhere in it.

    ``import a.b`` gives (``a.b``, []); ``from ..x import y, z`` gives (``attn_lib.x``, [y, z]).
    """
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield module, [alias.name for alias in node.names], node.lineno


def where(path, line) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{line}"


def in_folder(name: str):
    return [path for path in MODULES if folder(module_name(path)) == name]


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# ----- (a) the layers ----------------------------------------------------------------------------
def test_core_needs_numpy_and_the_standard_library_only():
    bad = []
    for path in in_folder("core"):
        for module, _, line in imports(path):
            top = module.split(".")[0]
            if top in ("matplotlib", "ipywidgets") or (top == "attn_lib" and folder(module) != "core"):
                bad.append(f"{where(path, line)} imports {module}")
    assert not bad, "attn_lib/core must not import matplotlib, ipywidgets or the rest of attn_lib:\n" + "\n".join(bad)


def test_lessons_need_numpy_the_standard_library_and_core_only():
    """A lesson may build on an earlier lesson (lesson07 reuses lesson02's inputs), nothing above."""
    bad = []
    for path in in_folder("lessons"):
        for module, _, line in imports(path):
            top = module.split(".")[0]
            allowed = (top in ("numpy", "attn_lib") and (top == "numpy" or folder(module) in ("core", "lessons"))
                       or top in sys.stdlib_module_names)
            if not allowed:
                bad.append(f"{where(path, line)} imports {module}")
    assert not bad, "attn_lib/lessons may import numpy, the standard library and attn_lib.core only:\n" + "\n".join(bad)


# ----- (b) private names stay in their folder ----------------------------------------------------
def test_no_module_imports_a_private_name_from_another_folder():
    bad = []
    for path in MODULES:
        home = folder(module_name(path))
        for module, names, line in imports(path):
            if not module.startswith("attn_lib") or folder(module) == home:
                continue
            private_path = [part for part in module.split(".")[1:] if is_private(part)]
            private_names = [name for name in names if is_private(name)]
            if private_names:
                bad.append(f"{where(path, line)} imports {', '.join(private_names)} from {module}")
            elif private_path:
                bad.append(f"{where(path, line)} imports from the private module {module}")
    assert not bad, "a private name (or module) is used outside its folder:\n" + "\n".join(bad)


def test_every_relative_import_names_a_module_and_names_that_exist():
    """A broken import inside a function only fails when a learner reaches it; find it here."""
    def defined(path):
        tree = ast.parse(path.read_text())
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        return names

    bad = []
    for path in MODULES:
        for module, names, line in imports(path):
            if not module.startswith("attn_lib"):
                continue
            target = PACKAGE.parent.joinpath(*module.split("."))
            source = target / "__init__.py" if target.is_dir() else target.with_suffix(".py")
            if not source.is_file():
                bad.append(f"{where(path, line)} imports {module}, which does not exist")
                continue
            known = defined(source)
            if "__getattr__" in known:                      # names made on demand (PEP 562)
                continue
            missing = [n for n in names if n not in known and not (target / f"{n}.py").is_file()
                       and not (target / n).is_dir()]
            if missing:
                bad.append(f"{where(path, line)} imports {', '.join(missing)} from {module}, which has no such name")
    assert not bad, "\n".join(bad)


# ----- (c) the import is light -------------------------------------------------------------------
def test_import_attn_lib_loads_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, attn_lib; attn_lib.softmax; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'ipywidgets'})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "", f"import attn_lib loaded {done.stdout.strip()}"


# ----- (d) the public names ----------------------------------------------------------------------
def test_all_is_sorted_without_regard_to_case():
    assert attn_lib.__all__ == sorted(attn_lib.__all__, key=str.lower)
    assert len(set(attn_lib.__all__)) == len(attn_lib.__all__)


def test_every_public_name_of_the_package_is_in_all():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    defined = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level:                # from .core import ...
            defined |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    on_demand = set(attn_lib._LAZY) | set(attn_lib._SUBPACKAGES) | set(attn_lib._LEGACY_MODULES)
    public = {name for name in defined | on_demand if not name.startswith("_")}
    assert public, "no public name found: the test reads the wrong file"
    assert sorted(public - set(attn_lib.__all__)) == []


def test_every_name_in_all_resolves():
    for name in attn_lib.__all__:
        assert getattr(attn_lib, name, None) is not None, name
    assert set(attn_lib.__all__) <= set(dir(attn_lib))


# ----- the names of attn_lib 0.1 -----------------------------------------------------------------
LEGACY_NAMES = {   # what each flat module of attn_lib 0.1 defined (read from its source before the split)
    "context": ["ContextVectors", "QUERY_KEYS", "QueryRotation", "compare_features", "context_vectors",
                "cosine_similarity", "rotated_query"],
    "scaling": ["D_OPTIONS", "D_VALUES", "ScalingExplorer", "max_weight", "naive_softmax", "scaling_figure",
                "score_spread", "vectors_figure"],
    "widgets": ["LIVE_STYLE", "LiveView", "ScoreSliders", "SnapshotMixin", "bars_html", "style_widget"],
    "model_views": ["AttentionViewer", "PATTERNS", "ROW", "TILE", "mosaic", "pattern_scores"],
    "pretrained": ["DEFAULT_REPO", "HUB_FILES", "INSTALL_HINT", "ModelOutput", "PACKAGE", "PretrainedModel",
                   "SUPPORTED", "WeightsNotFoundError", "attention_block", "embeddings", "encoder_layer", "erf",
                   "feed_forward", "forward", "gelu", "layer_norm", "load_checkpoint", "load_pretrained",
                   "mean_pool"],
}


@pytest.mark.parametrize("old", sorted(LEGACY_NAMES))
def test_the_old_modules_still_offer_their_names(old):
    """Notebooks written for attn_lib 0.1 (``attn_lib.scaling.score_spread``) keep working: the only
    place the tests use these compatibility modules."""
    module = getattr(attn_lib, old)
    assert isinstance(module, types.ModuleType)
    missing = [name for name in LEGACY_NAMES[old] if not hasattr(module, name)]
    assert missing == [], f"attn_lib.{old} lost {missing}"
    for name in LEGACY_NAMES[old]:                 # and they are the objects of the new folders
        value = getattr(module, name)
        if callable(value) and hasattr(value, "__module__"):
            assert getattr(importlib.import_module(value.__module__), value.__name__) is value
