"""What differs between the ansible-core lines the tests run on (tests/matrix)."""

from __future__ import annotations

__all__ = ["trust_as_template"]

try:  # role files are trusted templates in Ansible (data tagging, ansible-core 2.19 and later)
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every template is trusted

    def trust_as_template(value):
        return value
