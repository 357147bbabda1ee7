"""The README's «Эксплуатация» section names only services, files and options that exist."""

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def production_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## Эксплуатация\n") : readme.index("## Разработка\n")]


def compose_commands():
    """Each `docker compose …` command of the section's shell blocks, split into words."""
    blocks = re.findall(r"```sh\n(.*?)```", production_section(), flags=re.S)
    commands = []
    for line in "\n".join(blocks).replace("\\\n", " ").splitlines():
        for part in re.split(r"&&|;", line):
            if "docker compose " in part:
                command = part[part.index("docker compose ") :].split(">")[0].split("<")[0]
                commands.append(shlex.split(command, comments=True))
    return commands


def test_dumps_and_restores_go_through_exec_without_a_terminal():
    # Without -T, `docker compose exec` allocates a TTY: the binary dump gets mangled on its way out.
    piped = [c for c in compose_commands() if c[2] == "exec" and {"pg_dump", "pg_restore"} & set(c)]
    assert len(piped) >= 2
    for command in piped:
        assert command[3] == "-T", command
        assert command[4] == "db", command
        assert {"-U", "portal"} <= set(command), command


def test_the_commands_name_services_profiles_and_files_that_exist():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = set(compose["services"])
    profiles = {p for s in compose["services"].values() for p in s.get("profiles", [])}
    for command in compose_commands():
        words = command[2:]
        for i, word in enumerate(words):
            if word == "-f":
                assert (ROOT / words[i + 1]).exists(), command
            if word == "--profile":
                assert words[i + 1] in profiles, command
        verb_at = next(
            i
            for i, w in enumerate(words)
            if not w.startswith("-") and words[i - 1] not in ("-f", "--profile")
        )
        verb, rest = words[verb_at], [w for w in words[verb_at + 1 :] if not w.startswith("-")]
        if verb in ("stop", "start", "restart", "logs"):
            assert set(rest) <= services, command
        if verb in ("exec", "run"):
            assert rest[0] in services, command


def test_the_kubernetes_table_lists_every_manifest():
    section = production_section()
    for manifest in (ROOT / "deploy" / "k8s").glob("*.yaml"):
        if manifest.name != "kustomization.yaml":
            assert f"`{manifest.name}`" in section, manifest.name
