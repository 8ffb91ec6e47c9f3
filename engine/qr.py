"""QR codes for the TOTP set-up URI: as text for a terminal, and as SVG for a page.

The URI holds the TOTP secret, so the QR code does too: show it only to the user
setting up the authenticator app, and never log it.
"""

from __future__ import annotations

import io

import segno

__all__ = ["qr_svg", "qr_terminal"]


def qr_terminal(data: str, *, compact: bool = True) -> str:
    """The QR code of ``data`` as text for a terminal (Unicode half blocks when compact)."""
    code = segno.make(data, error="m")
    if compact:
        buffer = io.StringIO()
        code.terminal(out=buffer, compact=True)
        return buffer.getvalue()
    lines = []
    for row in code.matrix_iter(scale=1, border=2):
        lines.append("".join("██" if bit else "  " for bit in row))
    return "\n".join(lines) + "\n"


def qr_svg(data: str, *, scale: int = 4, title: str | None = None) -> str:
    """The QR code of ``data`` as a standalone SVG document."""
    code = segno.make(data, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, title=title, xmldecl=False)
    return buffer.getvalue().decode()
