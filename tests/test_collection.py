"""The collection as a user gets it: built, installed offline, playbooks resolvable."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, require_tool, tool_venv

GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks").is_dir())
# A PEM private key with its body, not just the words in a test or a doc.
PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40,}")
PLAYBOOKS = sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml"))


def run(*command: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**(env or os.environ), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collection built with ansible-galaxy, as it would be published."""
    require_tool("ansible-galaxy")
    out = tmp_path_factory.mktemp("build")
    built = run("ansible-galaxy", "collection", "build", "--output-path", str(out), ".")
    assert built.returncode == 0, built.stderr
    path = out / f"wss-gateway-{GALAXY['version']}.tar.gz"
    assert path.is_file(), built.stdout
    return path


@pytest.fixture(scope="module")
def installed(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball installed, offline, into an empty collections path."""
    target = tmp_path_factory.mktemp("collections")
    # --no-deps: community.crypto comes from the `ansible` package on PyPI, Galaxy is offline.
    # --force: a copy elsewhere on the collections path (molecule's) must not make it a no-op.
    install = run(
        "ansible-galaxy",
        "collection",
        "install",
        "--no-deps",
        "--force",
        "-p",
        str(target),
        str(tarball),
    )
    assert install.returncode == 0, install.stderr
    return target


def test_galaxy_metadata() -> None:
    assert GALAXY["namespace"] == "wss" and GALAXY["name"] == "gateway"
    assert {"security", "networking"} <= set(GALAXY["tags"])
    assert "community.crypto" in GALAXY["dependencies"]
    for ignored in (".venv", ".cache", "build"):
        assert ignored in GALAXY["build_ignore"]


def pinned(requirement: str) -> str:
    """The version requirements-dev.txt pins ``requirement`` to."""
    text = (ROOT / "requirements-dev.txt").read_text()
    match = re.search(rf"^{re.escape(requirement)}==([0-9.]+)$", text, re.M)
    assert match, f"{requirement} is not pinned in requirements-dev.txt"
    return match.group(1)


def test_version_claims_are_the_tested_versions() -> None:
    """The roles' minimum is requires_ansible, the oldest line of the matrix (tests/matrix)."""
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    oldest = min(
        (
            path.name.removeprefix("requirements-").removesuffix(".txt")
            for path in (ROOT / "tests" / "matrix").glob("requirements-*.txt")
        ),
        key=lambda version: tuple(int(part) for part in version.split(".")),
    )
    assert runtime["requires_ansible"] == f">={oldest}.0"
    for role in ROLES:
        meta = yaml.safe_load((ROOT / "roles" / role / "meta" / "main.yml").read_text())
        assert meta["galaxy_info"]["min_ansible_version"] == oldest, role
    assert f"ansible-core {pinned('ansible-core')}" in (ROOT / "README.md").read_text()


def test_platform_claims_are_the_molecule_platforms() -> None:
    """Each role claims exactly the Debian releases a molecule scenario runs on."""
    images = set()
    for config in (ROOT / "extensions" / "molecule").glob("*/molecule.yml"):
        for platform in yaml.safe_load(config.read_text()).get("platforms", []):
            images.update(re.findall(r"WSS_IMAGE_([A-Z]+)", platform.get("image", "")))
    releases = sorted(image.lower() for image in images)
    assert releases == ["bookworm", "trixie"], releases
    for role in ROLES:
        meta = yaml.safe_load((ROOT / "roles" / role / "meta" / "main.yml").read_text())
        platforms = meta["galaxy_info"]["platforms"]
        assert platforms == [{"name": "Debian", "versions": releases}], role


def test_license_is_the_full_gpl3_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert GALAXY["license"] == ["GPL-3.0-or-later"]
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE\n                       Version 3")
    assert "END OF TERMS AND CONDITIONS" in text and "How to Apply These Terms" in text


# What a built tarball holds: collection content, nothing of the development tree.
TARBALL_CONTENT = re.compile(
    r"(MANIFEST\.json|FILES\.json|LICENSE|README\.md|CHANGELOG\.rst"
    r"|changelogs/(changelog|config)\.yaml|meta/runtime\.yml"
    r"|(plugins|roles|playbooks)/.+)"
)


def test_tarball_holds_only_collection_content(tarball: Path) -> None:
    with tarfile.open(tarball) as archive:
        files = sorted(m.name for m in archive.getmembers() if not m.isdir())
    stray = [name for name in files if not TARBALL_CONTENT.fullmatch(name)]
    assert not stray, f"not collection content: {stray}"
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc")]
    for name in ("LICENSE", "CHANGELOG.rst", "plugins/modules/wss_check.py"):
        assert name in files


def test_tarball_holds_no_caches_or_keys(installed: Path) -> None:
    tree = installed / "ansible_collections" / "wss" / "gateway"
    names = [str(p.relative_to(tree)) for p in tree.rglob("*")]
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    assert not [n for n in names if n.startswith((".venv", ".cache", "build", "tests/output"))]
    for path in tree.rglob("*"):
        if path.is_file():
            assert not PEM_KEY.search(path.read_text(errors="replace")), path


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_installed_playbook_syntax(installed: Path, playbook: str) -> None:
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(installed)}
    result = run(
        "ansible-playbook",
        "-i",
        "localhost,",
        f"wss.gateway.{playbook}",
        "--syntax-check",
        env=env,
        cwd=installed,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("role", ROLES)
def test_ansible_doc_role(role: str) -> None:
    result = run("ansible-doc", "-t", "role", f"wss.gateway.{role}")
    assert result.returncode == 0, result.stderr
    assert re.search(r"ENTRY POINT: \W*main\W", result.stdout), result.stdout[:500]


PLUGINS = [
    ("module", "wss_check"),
    ("module", "wss_site"),
    ("module", "wss_files"),
    ("module", "wss_ca"),
    ("module", "wss_ca_sign"),
    ("module", "wss_leaf_request"),
    ("module", "wss_validate"),
    ("filter", "endpoints"),
    ("filter", "endpoint_errors"),
    ("filter", "ca_trust"),
    ("filter", "endpoint_validation"),
    ("filter", "certificate_guard"),
    ("filter", "certificate_chain"),
    ("filter", "leaf_state"),
    ("filter", "ca_fit"),
    ("filter", "nginx_settings_errors"),
    ("filter", "provided_file_errors"),
    ("filter", "acme_order_reason"),
    ("filter", "fleet_report"),
    ("filter", "not_in_place"),
    ("callback", "rollout_report"),
]


PLUGIN_DIRS = {"module": "modules", "filter": "filter", "callback": "callback"}


@pytest.mark.parametrize(("kind", "name"), PLUGINS)
def test_ansible_doc_plugin(kind: str, name: str) -> None:
    """Every plugin renders in ansible-doc with its own documentation, from its own file."""
    text = run("ansible-doc", "-t", kind, f"wss.gateway.{name}")
    assert text.returncode == 0, text.stderr
    own_file = f"plugins/{PLUGIN_DIRS[kind]}/{name}.py"
    assert re.search(rf"wss\.gateway\.{name}\W.*{re.escape(own_file)}", text.stdout), text.stdout[
        :500
    ]
    result = run("ansible-doc", "-t", kind, "--json", f"wss.gateway.{name}")
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)[f"wss.gateway.{name}"]
    doc = entry["doc"]
    assert doc.get("name", doc.get("module")) == name
    assert doc["filename"].endswith(own_file)
    assert doc["short_description"] and doc["description"]
    if kind != "callback":  # callbacks are configured, not called: no examples
        assert entry["examples"]
    # Its own documentation, as written in its file, not another plugin's.
    tree = ast.parse((ROOT / own_file).read_text())
    strings = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    written = yaml.safe_load(strings["DOCUMENTATION"])
    assert doc["description"] == written["description"]
    assert doc["short_description"] == written["short_description"]


def test_every_plugin_is_in_the_list_above() -> None:
    """One file per plugin, documented in itself (Galaxy reads no .yml sidecar for filters)."""
    plugins = ROOT / "plugins"
    present = (
        {("module", p.stem) for p in plugins.glob("modules/*.py")}
        | {("callback", p.stem) for p in plugins.glob("callback/*.py")}
        | {("filter", p.stem) for p in plugins.glob("filter/*.py")}
    )
    assert present == set(PLUGINS), present ^ set(PLUGINS)
    assert not list(plugins.glob("*/*.yml")), "documentation belongs in the plugin's .py file"


def test_module_example_uses_the_roles_ca_path() -> None:
    """The wss_check example points at the CA file where the certificate role installs it."""
    role_vars = yaml.safe_load((ROOT / "roles" / "certificate" / "vars" / "main.yml").read_text())
    # host.yml installs it with wss_files, from __certificate_ca_files.
    assert "'path': __certificate_ca_installed" in role_vars["__certificate_ca_files"]
    main = (ROOT / "roles" / "certificate" / "tasks" / "host.yml").read_text()
    assert 'files: "{{ __certificate_ca_files }}"' in main
    assert role_vars["__certificate_ca_installed"] == "{{ __certificate_tls_dir }}/ca.pem"
    installed_ca = f"{role_vars['__certificate_tls_dir_default']}/ca.pem"
    source = (ROOT / "plugins" / "modules" / "wss_check.py").read_text()
    examples = re.search(r'^EXAMPLES = r"""(.*?)^"""', source, re.S | re.M).group(1)
    paths = re.findall(r"ca_path: (/etc/\S+)", examples)
    assert paths and set(paths) == {installed_ca}, paths


# The plugin cache is not kept: `make changelog` and this test reload it with ansible-doc.
CHANGELOG_FILES = ("CHANGELOG.rst", "changelogs/changelog.yaml")


def test_changelog_is_generated_from_the_fragments(tmp_path: Path) -> None:
    """CHANGELOG.rst is what `make changelog` makes of changelogs/ and the plugins now."""
    require_tool("antsibull-changelog")
    copy = tmp_path / "collection"
    copy.mkdir()
    for name in ("galaxy.yml", "CHANGELOG.rst"):
        shutil.copy2(ROOT / name, copy / name)
    for name in ("changelogs", "meta", "plugins", "roles", "playbooks"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    changes = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())
    release = changes["releases"][GALAXY["version"]]
    fragments = sorted(p.name for p in (ROOT / "changelogs" / "fragments").glob("*.yml"))
    assert sorted(release["fragments"]) == fragments, "run `make changelog`"
    result = run(
        "antsibull-changelog",
        "release",
        "--version",
        GALAXY["version"],
        "--date",
        str(release["release_date"]),
        "--update-existing",
        "--refresh-fragments",
        "--reload-plugins",
        "--refresh-plugins",
        cwd=copy,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CHANGELOG_FILES:
        expected = (copy / name).read_text()
        assert (ROOT / name).read_text() == expected, f"{name} is out of date: run `make changelog`"


@pytest.fixture(scope="module")
def importer_venv() -> Path:
    """The venv with galaxy-importer (pinned)."""
    return tool_venv("galaxy-importer")


def test_galaxy_importer_has_no_warnings(
    tarball: Path, importer_venv: Path, tmp_path: Path
) -> None:
    """galaxy-importer, with flake8 and ansible-lint on, finds nothing to warn about."""
    work = tmp_path / "import"
    work.mkdir()
    shutil.copy2(tarball, work / tarball.name)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANSIBLE_", "GALAXY_IMPORTER_", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=f"{importer_venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        GALAXY_IMPORTER_RUN_FLAKE8="true",
        GALAXY_IMPORTER_RUN_ANSIBLE_LINT="true",
        GALAXY_IMPORTER_RUN_ANSIBLE_DOC="true",
        GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=str(tmp_path / "ansible-tmp"),
    )
    result = run(
        str(importer_venv / "bin" / "python"),
        "-m",
        "galaxy_importer.main",
        tarball.name,
        env=env,
        cwd=work,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Importer processing completed successfully" in output, output[-6000:]
    assert "Linting collection via ansible-lint" in output and "via flake8" in output, output
    problems = [line for line in output.splitlines() if re.match(r"\s*(WARNING|ERROR)", line)]
    assert not problems, "\n".join(problems)
    imported = json.loads((work / "importer_result.json").read_text())
    contents = [(c["content_type"], c["name"]) for c in imported["contents"]]
    plugins = [item for item in contents if item[0] in {kind for kind, _name in PLUGINS}]
    assert sorted(plugins) == sorted(PLUGINS), contents
    for entry in imported["docs_blob"]["contents"]:
        if entry["content_type"] in ("filter", "callback"):
            assert entry["doc_strings"]["doc"]["name"] == entry["content_name"], entry


def test_execution_environment_definition(tmp_path: Path) -> None:
    require_tool("ansible-builder")
    result = run(
        "ansible-builder",
        "create",
        "--file",
        str(ROOT / "execution-environment.yml"),
        "--context",
        str(tmp_path / "context"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    dockerfile = (tmp_path / "context" / "Dockerfile").read_text()
    assert "ARG EE_BASE_IMAGE" in dockerfile
    # Only the local tarballs that scripts/build-ee.sh makes, installed without Galaxy
    # (tests/ee builds the image and deploys with it).
    requirements = yaml.safe_load(
        (tmp_path / "context" / "_build" / "requirements.yml").read_text()
    )
    assert [c["name"] for c in requirements["collections"]] == [
        "collections/community-crypto.tar.gz",
        "collections/wss-gateway.tar.gz",
    ]
    assert 'ANSIBLE_GALAXY_CLI_COLLECTION_OPTS="--offline"' in dockerfile
    assert "ansible-core>=2.17.0" in dockerfile and "<2.20" not in dockerfile


def test_python_is_the_venv() -> None:
    """The suite runs with the pinned toolchain, not whatever python3 is on PATH."""
    assert Path(sys.executable).parent == Path(require_tool("ansible-playbook")).parent
