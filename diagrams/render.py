"""Diagrams of :class:`~cognitoflow.engine.machine.SignInMachine`, generated from its declaration.

Mermaid and DOT are plain text built here (no optional dependency); SVG and PNG are
DOT laid out by Graphviz's ``dot`` program (Debian package ``graphviz``).

A *path* (``[(source, event, target), ...]``, as ``SignInFlow.path`` records it) is
highlighted on the full machine: the states visited and the transitions taken.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Sequence

from cognitoflow.engine.machine import SignInMachine

__all__ = [
    "FAMILIES",
    "FORMATS",
    "GraphvizMissingError",
    "Transition",
    "render",
    "render_dot",
    "render_mermaid",
    "transitions",
]

Transition = tuple[str, str, str]
"""(source state, event, target state)."""

FAMILIES: dict[str, tuple[str, ...]] = {
    "MFA": (
        "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        "CONFIRM_SIGN_IN_WITH_SMS_CODE",
        "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
    ),
    "MFA set-up": (
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
        "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
    ),
    "Passwordless (USER_AUTH)": (
        "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "CONFIRM_SIGN_IN_WITH_PASSWORD",
    ),
    "Sign-up and password reset": (
        "CONFIRM_SIGN_UP",
        "RESET_PASSWORD",
        "CONFIRM_RESET_PASSWORD_WITH_CODE",
    ),
}
"""States drawn together, by what they are for."""

# Ways out that every step has: drawn faint, so the protocol itself stands out.
_BACKGROUND = frozenset({"sign_out", "session_ended"})
FORMATS = ("mermaid", "dot", "svg", "png")


class GraphvizMissingError(RuntimeError):
    """SVG or PNG was asked for, but Graphviz's ``dot`` program is not installed."""


def transitions() -> list[Transition]:
    """Every declared transition, in declaration order."""
    return [
        (state.id, transition.event, transition.target.id)
        for state in SignInMachine.states
        for transition in state.transitions
    ]


def _grouped(
    path: Iterable[Transition],
) -> tuple[dict[tuple[str, str], list[str]], set[Transition]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, event, target in transitions():
        edges[(source, target)].append(event)
    return edges, set(path)


def render_mermaid(path: Sequence[Transition] = ()) -> str:
    """The machine as a Mermaid ``stateDiagram-v2`` (rendered by GitHub and GitLab)."""
    edges, taken = _grouped(path)
    visited = {s for s, _, _ in taken} | {t for _, _, t in taken}
    lines = ["stateDiagram-v2", "    direction LR", "    [*] --> SIGNED_OUT"]
    for number, (name, states) in enumerate(FAMILIES.items()):
        lines.append(f'    state "{name}" as group{number} {{')
        lines.extend(f"        {state}" for state in states)
        lines.append("    }")
    for (source, target), events in edges.items():
        label = " / ".join(events)
        lines.append(f"    {source} --> {target} : {label}")
    if visited:
        lines.append("    classDef visited fill:#d7f5dd,stroke:#1a7f37,stroke-width:2px")
        lines.extend(f"    class {state} visited" for state in sorted(visited))
    return "\n".join(lines) + "\n"


def _dot_id(name: str) -> str:
    return f'"{name}"'


def render_dot(path: Sequence[Transition] = ()) -> str:
    """The machine as Graphviz DOT, laid out left to right with each family in a box."""
    edges, taken = _grouped(path)
    visited = {s for s, _, _ in taken} | {t for _, _, t in taken}
    lines = [
        "digraph SignInMachine {",
        "  rankdir=LR;",
        "  newrank=true;",
        '  graph [fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.9, '
        'label="cognitoflow: Amplify sign-in as a state machine", labelloc=t];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
        'fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8, color="#444444"];',
        '  start [shape=point, width=0.15, label=""];',
        f"  start -> {_dot_id('SIGNED_OUT')};",
    ]
    grouped = {state for states in FAMILIES.values() for state in states}
    for number, (name, states) in enumerate(FAMILIES.items()):
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(f'    label="{name}"; style="rounded,dashed"; color="#888888";')
        lines.extend(f"    {_dot_id(state)};" for state in states)
        lines.append("  }")
    for state in SignInMachine.states:
        attributes = []
        if state.id in ("SIGNED_OUT", "DONE"):
            attributes.append("peripheries=2")
        if state.id in visited:
            attributes.append('fillcolor="#d7f5dd", color="#1a7f37", penwidth=2')
        if state.id not in grouped or attributes:
            suffix = f" [{', '.join(attributes)}]" if attributes else ""
            lines.append(f"  {_dot_id(state.id)}{suffix};")
    for (source, target), events in edges.items():
        label = "\\n".join(events)
        style = []
        if any((source, event, target) in taken for event in events):
            style.append('color="#1a7f37", fontcolor="#1a7f37", penwidth=2.5')
        elif set(events) <= _BACKGROUND:
            # Drawn, but left out of the layout: every step has these ways out.
            style.append('color="#c8c8c8", fontcolor="#a0a0a0", style=dashed, constraint=false')
        edge = ", ".join([f'label="{label}"', *style])
        lines.append(f"  {_dot_id(source)} -> {_dot_id(target)} [{edge}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(output_format: str, path: Sequence[Transition] = ()) -> bytes:
    """The diagram in ``mermaid``, ``dot``, ``svg`` or ``png``.

    Raises:
        GraphvizMissingError: SVG or PNG without Graphviz's ``dot`` on the PATH.
        ValueError: an unknown format.
    """
    if output_format == "mermaid":
        return render_mermaid(path).encode()
    if output_format == "dot":
        return render_dot(path).encode()
    if output_format not in ("svg", "png"):
        raise ValueError(f"Unknown format {output_format!r}: use one of {', '.join(FORMATS)}.")
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissingError(
            f"Rendering {output_format.upper()} needs Graphviz's 'dot' program: install the "
            "Debian package 'graphviz' (apt-get install graphviz), or use --format mermaid/dot."
        )
    done = subprocess.run(  # noqa: S603 - a fixed program and arguments, our own DOT text
        [dot, f"-T{output_format}"],
        input=render_dot(path).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
