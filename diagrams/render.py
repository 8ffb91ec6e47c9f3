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
    "FAMILY_NAMES",
    "FORMATS",
    "GraphvizMissingError",
    "Transition",
    "render",
    "render_dot",
    "render_family",
    "render_mermaid",
    "render_overview",
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

FAMILY_NAMES: dict[str, str] = {
    "mfa": "MFA",
    "mfa-setup": "MFA set-up",
    "passwordless": "Passwordless (USER_AUTH)",
    "sign-up-and-reset": "Sign-up and password reset",
}
"""The families by the names ``cognitoflow diagram --family`` takes."""

_OVERVIEW_BOXES = {
    "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED": "New password",
    "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE": "Custom challenge",
}
"""States of their own that the overview draws as boxes beside the families."""

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


def _box(state: str) -> str:
    """The overview's box of a state: its family, its own box, or itself."""
    for name, states in FAMILIES.items():
        if state in states:
            return name
    return _OVERVIEW_BOXES.get(state, state)


def overview_edges() -> dict[tuple[str, str], list[str]]:
    """The ways between the overview's boxes, each with the events that take them (the
    ways out every step has, sign-out and an ended session, left out)."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, event, target in transitions():
        ends = (_box(source), _box(target))
        if ends[0] != ends[1] and event not in _BACKGROUND and event not in edges[ends]:
            edges[ends].append(event)
    return {ends: events for ends, events in edges.items() if events}


def _short(events: list[str], most: int = 3) -> str:
    shown = events[:most]
    return " / ".join(shown) + (f" (+{len(events) - most})" if len(events) > most else "")


def render_overview(output_format: str = "mermaid") -> str:
    """The families as boxes and the ways between them (Mermaid, or DOT)."""
    edges = overview_edges()
    if output_format == "mermaid":
        ids = {box: f"b{number}" for number, box in enumerate(_overview_boxes(edges))}
        lines = ["flowchart LR"]
        for box, node in ids.items():
            shape = f'(["{box}"])' if box in ("SIGNED_OUT", "DONE") else f'["{box}"]'
            lines.append(f"    {node}{shape}")
        for (source, target), events in edges.items():
            lines.append(f'    {ids[source]} -- "{_short(events, 1)}" --> {ids[target]}')
        return "\n".join(lines) + "\n"
    lines = [
        "digraph Overview {",
        "  rankdir=TB;",
        '  graph [fontname="Helvetica", fontsize=16, nodesep=0.5, ranksep=0.7, '
        'label="cognitoflow: the sign-in, by family", labelloc=t];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", '
        'fontname="Helvetica", fontsize=16, margin="0.25,0.12"];',
        '  edge [fontname="Helvetica", fontsize=12, color="#555555"];',
    ]
    for box in _overview_boxes(edges):
        extra = ', peripheries=2, fillcolor="#ffffff"' if box in ("SIGNED_OUT", "DONE") else ""
        lines.append(f"  {_dot_id(box)} [label={_dot_id(box)}{extra}];")
    lines.append(f"  {{ rank=min; {_dot_id('SIGNED_OUT')}; }}")
    lines.append(f"  {{ rank=max; {_dot_id('DONE')}; }}")
    for (source, target), events in edges.items():
        lines.append(f'  {_dot_id(source)} -> {_dot_id(target)} [label="{_short(events, 1)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _overview_boxes(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    boxes = ["SIGNED_OUT"]
    for source, target in edges:
        for box in (source, target):
            if box not in boxes and box != "DONE":
                boxes.append(box)
    return [*boxes, "DONE"]


EARLIER = "earlier steps"
"""The node a family's picture draws every way in from outside the family from."""


def family_transitions(family: str) -> list[Transition]:
    """The transitions into, out of and within a family (by its ``--family`` name), but
    the ways out every step has."""
    states = set(FAMILIES[FAMILY_NAMES[family]])
    return [
        (source, event, target)
        for source, event, target in transitions()
        if (source in states or target in states) and event not in _BACKGROUND
    ]


def render_family(
    family: str, output_format: str = "mermaid", path: Sequence[Transition] = ()
) -> str:
    """One family and the states next to it, readable at page width (Mermaid, or DOT)."""
    if family not in FAMILY_NAMES:
        raise ValueError(f"Unknown family {family!r}: use one of {', '.join(FAMILY_NAMES)}.")
    title = FAMILY_NAMES[family]
    states = FAMILIES[title]
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, event, target in family_transitions(family):
        # Every way in from outside the family is drawn from one node: the picture stays
        # readable, and the full machine shows where each comes from.
        source = source if source in states else EARLIER
        if event not in edges[(source, target)]:
            edges[(source, target)].append(event)
    taken = {
        (source if source in states else EARLIER, event, target) for source, event, target in path
    }
    visited = {s for s, _, _ in taken} | {t for _, _, t in taken}
    if output_format == "mermaid":
        lines = ["stateDiagram-v2", "    direction LR", f'    state "{EARLIER}" as earlier']
        lines.append(f'    state "{title}" as family {{')
        lines.extend(f"        {state}" for state in states)
        lines.append("    }")
        for (source, target), events in edges.items():
            start = "earlier" if source == EARLIER else source
            lines.append(f"    {start} --> {target} : {' / '.join(events)}")
        if visited - {EARLIER}:
            lines.append("    classDef visited fill:#d7f5dd,stroke:#1a7f37,stroke-width:2px")
            lines.extend(f"    class {state} visited" for state in sorted(visited - {EARLIER}))
        return "\n".join(lines) + "\n"
    lines = [
        "digraph Family {",
        "  rankdir=LR;",
        f'  graph [fontname="Helvetica", fontsize=16, label="cognitoflow: {title}", '
        "labelloc=t, nodesep=0.35, ranksep=1.0];",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
        'fontname="Helvetica", fontsize=14];',
        '  edge [fontname="Helvetica", fontsize=11, color="#444444"];',
        f'  {_dot_id(EARLIER)} [shape=box, style="rounded,dashed", fillcolor="#f4f6fb"];',
        f'  subgraph cluster_family {{ style="rounded,dashed"; color="#888888"; label="{title}";',
    ]
    lines.extend(f"    {_dot_id(state)};" for state in states)
    lines.append("  }")
    for state in sorted(visited):
        lines.append(f'  {_dot_id(state)} [fillcolor="#d7f5dd", color="#1a7f37", penwidth=2];')
    for (source, target), events in edges.items():
        style = ""
        if any((source, event, target) in taken for event in events):
            style = ', color="#1a7f37", fontcolor="#1a7f37", penwidth=2.5'
        label = "\\n".join(events)
        lines.append(f'  {_dot_id(source)} -> {_dot_id(target)} [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(
    output_format: str,
    path: Sequence[Transition] = (),
    *,
    family: str | None = None,
    overview: bool = False,
    width: int | None = None,
) -> bytes:
    """The diagram in ``mermaid``, ``dot``, ``svg`` or ``png``: the whole machine, its
    ``overview``, or one ``family``; ``path`` highlighted; a PNG ``width`` in pixels.

    Raises:
        GraphvizMissingError: SVG or PNG without Graphviz's ``dot`` on the PATH.
        ValueError: an unknown format or family.
    """
    if output_format not in FORMATS:
        raise ValueError(f"Unknown format {output_format!r}: use one of {', '.join(FORMATS)}.")
    text_format = "mermaid" if output_format == "mermaid" else "dot"
    if overview:
        text = render_overview(text_format)
    elif family is not None:
        text = render_family(family, text_format, path)
    else:
        text = render_mermaid(path) if text_format == "mermaid" else render_dot(path)
    if output_format in ("mermaid", "dot"):
        return text.encode()
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissingError(
            f"Rendering {output_format.upper()} needs Graphviz's 'dot' program: install the "
            "Debian package 'graphviz' (apt-get install graphviz), or use --format mermaid/dot."
        )
    options = [f"-T{output_format}"]
    if width is not None and output_format == "png":
        options += [f"-Gsize={width / 100:.2f},100!", "-Gdpi=100"]
    done = subprocess.run(  # noqa: S603 - a fixed program and arguments, our own DOT text
        [dot, *options], input=text.encode(), capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
