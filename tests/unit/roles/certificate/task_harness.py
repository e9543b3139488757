"""Evaluate the ``vars`` of a real role task with ansible-core's Templar, collection filters
included, as the task would see them (for rules that tasks hand to the Python filters)."""

from __future__ import annotations

import sys
from pathlib import Path

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from tests.ansible_compat import trust_as_template

ROOT = Path(__file__).resolve().parents[4]
LOADER = DataLoader()
# Ansible's collection finder resolves `wss.gateway.*` filters; modules that plain imports
# loaded as namespace packages before it was installed are loaded again through it.
for _name in [name for name in sys.modules if name.split(".")[0] == "ansible_collections"]:
    del sys.modules[_name]
_AnsibleCollectionFinder(paths=[str(ROOT / ".cache" / "collections")])._install()


def find_task(tasks: list, prefix: str) -> dict:
    for task in tasks:
        if str(task.get("name", "")).startswith(prefix):
            return task
        found = (
            find_task(task.get("block", []) + task.get("rescue", []), prefix)
            if isinstance(task, dict)
            else None
        )
        if found:
            return found
    return {}


def task_var(role_file: str, task_prefix: str, name: str, variables: dict) -> object:
    """The value of ``name`` in the ``vars`` of the task of ``role_file`` named ``task_prefix``..."""
    task = find_task(LOADER.load_from_file(str(ROOT / role_file)), task_prefix)
    assert task, f"{role_file}: no task named {task_prefix}..."
    scope = {
        **variables,
        **{
            key: trust_as_template(value) if isinstance(value, str) else value
            for key, value in task.get("vars", {}).items()
        },
    }
    return Templar(loader=LOADER, variables=scope).template(trust_as_template("{{ " + name + " }}"))
